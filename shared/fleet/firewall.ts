/**
 * Firewall settings of a tenant's gateway fleet: rules, IP whitelist and blacklist (entries may
 * expire), blocked ports and settings. Every change goes through `changeArea` (shadow-sync.ts):
 * validated here, measured against the shadow budget, saved as a new config version, then written
 * to the `firewall` shadow of every gateway (or of one gateway, for per-gateway overrides).
 *
 * Scopes: without `gateway_id` a change is tenant-wide; with it, it is an override of that gateway
 * only. What a gateway runs is the tenant-wide document merged with its overrides: rules and list
 * entries are added together, settings given by the override win.
 *
 * Removal safety (`force`): removing a rule needs `force: true` when
 *   - it is the last enabled default-deny rule (chain INPUT, action DROP/REJECT, any source, no
 *     port) and the default policy is ACCEPT: without it the gateway accepts everything; or
 *   - it is the last enabled rule accepting the SSH management port (INPUT, ACCEPT, TCP or ALL,
 *     port covering the SSH port in effect) while inbound traffic is otherwise denied (default
 *     policy DROP or a default-deny rule remains): without it nobody can reach the gateway over SSH.
 * A refused removal is a 409 naming `body.force`; nothing is saved.
 */
import { type FirewallDesired, FirewallDesiredSchema } from "#edge/contract.ts";
import {
  type AddressEntry,
  type BlockedPort,
  DEFAULT_FIREWALL_SETTINGS,
  type FirewallRule,
  type FirewallScopeDoc,
  type FirewallSettings,
  type FirewallSettingsPatch,
  parseFirewallDoc,
} from "#shared/fleet/db/firewall.ts";
import type { ScopeId } from "#shared/fleet/db/fleet-config.ts";
import { nextFirewallRuleId } from "#shared/fleet/db/sequences.ts";
import { Conflict, Invalid, NotFound } from "#shared/kit/errors.ts";
import { type FirewallStatsToday, firewallStatsToday, type RuleHits, ruleHits } from "./firewall-log.ts";
import { cidrFamily, isAnyAddress, portRange } from "./net-validation.ts";
import {
  type AreaSpec,
  assertContract,
  assertFits,
  type ChangeOutcome,
  changeArea,
  loadSnapshot,
  loadStoredSnapshot,
  requireGateway,
} from "./shadow-sync.ts";
import { sshSettingsOf, sshSpec } from "./ssh.ts";

export interface EffectiveFirewall {
  rules: FirewallRule[];
  whitelist: AddressEntry[];
  blacklist: AddressEntry[];
  blocked_ports: BlockedPort[];
  settings: FirewallSettings;
}

const live = (e: AddressEntry, now: Date) => e.expires === undefined || Date.parse(e.expires) > now.getTime();

/** Entries whose expiry has passed are gone: from reads, from the next saved document and from shadows. */
function pruneExpired(doc: FirewallScopeDoc, now: Date): FirewallScopeDoc {
  return {
    ...doc,
    whitelist: doc.whitelist.filter((e) => live(e, now)),
    blacklist: doc.blacklist.filter((e) => live(e, now)),
  };
}

function mergeSettings(base: FirewallSettings, patch: FirewallSettingsPatch): FirewallSettings {
  return { ...base, ...patch, rate_limiting: { ...base.rate_limiting, ...patch.rate_limiting } };
}

function unionBy<T>(a: T[], b: T[], key: (x: T) => string): T[] {
  const out = new Map<string, T>();
  for (const x of [...a, ...b]) out.set(key(x), x);
  return [...out.values()];
}

const byPriority = (a: FirewallRule, b: FirewallRule) => a.priority - b.priority || a.id - b.id;

export function effectiveFirewall(
  tenant: FirewallScopeDoc,
  overlay: FirewallScopeDoc | undefined,
  now: Date,
): EffectiveFirewall {
  const t = pruneExpired(tenant, now);
  const o = overlay ? pruneExpired(overlay, now) : undefined;
  return {
    rules: [...t.rules, ...(o?.rules ?? [])].sort(byPriority),
    whitelist: unionBy(t.whitelist, o?.whitelist ?? [], (e) => e.address),
    blacklist: unionBy(t.blacklist, o?.blacklist ?? [], (e) => e.address),
    blocked_ports: unionBy(t.blocked_ports, o?.blocked_ports ?? [], (p) => `${p.port}/${p.protocol}`),
    settings: mergeSettings(mergeSettings(DEFAULT_FIREWALL_SETTINGS, t.settings), o?.settings ?? {}),
  };
}

/** API log levels → the syslog level names nft's `log level` takes (edge contract: `log_level`). */
const NFT_LOG_LEVEL: Record<FirewallSettings["log_level"], string> = {
  debug: "debug",
  info: "info",
  notice: "notice",
  warning: "warn",
  error: "err",
  critical: "crit",
};

/**
 * The `firewall` shadow's desired document (edge contract `FirewallDesiredSchema`): only what the
 * gateway renders. Disabled rules and expired entries are left out; whitelist and blacklist entries
 * carry their expiry so the gateway's nft set elements time out on their own. `geo_blocking` is not
 * sent: nftables has no GeoIP data on the gateway, so it is stored but not enforced (see
 * NOT_ENFORCED_ON_GATEWAY). The VPN port is sent only while the VPN is on.
 */
export function renderFirewallDesired(f: EffectiveFirewall, configVersion: number, _now: Date): FirewallDesired {
  const s = f.settings;
  return {
    config_version: configVersion,
    enabled: s.enabled,
    default_policy: s.default_policy,
    rules: f.rules
      .filter((r) => r.enabled)
      .map((r) => ({
        id: r.id,
        name: r.name,
        chain: r.chain,
        protocol: r.protocol,
        ...(r.port !== undefined ? { port: r.port } : {}),
        source: r.source,
        destination: r.destination,
        ...(r.interface !== undefined ? { interface: r.interface } : {}),
        action: r.action,
        priority: r.priority,
        enabled: true,
        ...(r.log_matches ? { log: true, ...(r.log_prefix !== undefined ? { log_prefix: r.log_prefix } : {}) } : {}),
      })),
    whitelist: f.whitelist.map(listEntry),
    blacklist: f.blacklist.map(listEntry),
    blocked_ports: f.blocked_ports.flatMap((p) =>
      p.protocol === "ALL"
        ? [
            { port: p.port, protocol: "TCP" as const },
            { port: p.port, protocol: "UDP" as const },
          ]
        : [{ port: p.port, protocol: p.protocol }],
    ),
    rate_limiting: { ...s.rate_limiting },
    syn_flood_protection: s.syn_flood_protection,
    syn_flood_rate: s.syn_flood_rate,
    port_scan_detection: s.port_scan_detection,
    port_scan_threshold: s.port_scan_threshold,
    dos_protection: s.dos_protection,
    vpn_enabled: s.vpn_enabled,
    ...(s.vpn_enabled ? { vpn_port: s.vpn_port } : {}),
    log_level: NFT_LOG_LEVEL[s.log_level],
  };
}

const listEntry = (e: AddressEntry) => ({ ip: e.address, ...(e.expires ? { expires: e.expires } : {}) });

/** Settings the API stores that no gateway enforces (nftables cannot express them without GeoIP data). */
export const NOT_ENFORCED_ON_GATEWAY = ["geo_blocking"] as const;

export const firewallSpec: AreaSpec<FirewallScopeDoc, EffectiveFirewall> = {
  area: "firewall",
  parse: parseFirewallDoc,
  merge: effectiveFirewall,
  render: (effective, configVersion, now) => renderFirewallDesired(effective, configVersion, now),
  contract: FirewallDesiredSchema,
};

export interface FirewallTarget {
  tenantId: string;
  /** Absent: tenant-wide. */
  gatewayId?: number;
  by: string;
}

const scopeOf = (t: FirewallTarget): ScopeId => t.gatewayId ?? "tenant";

/** What the scope's gateways run once `doc` (the changed scope document) is saved. */
function viewAfter(
  target: FirewallTarget,
  tenantDoc: FirewallScopeDoc,
  doc: FirewallScopeDoc,
  now: Date,
): EffectiveFirewall {
  return target.gatewayId === undefined
    ? effectiveFirewall(doc, undefined, now)
    : effectiveFirewall(tenantDoc, doc, now);
}

const fieldError = (field: string, msg: string) =>
  new Invalid(`body.${field}: ${msg}`, [{ loc: ["body", field], msg, type: "value_error" }]);

// ---------------------------------------------------------------------------------------------
// Rules

export interface RuleInput {
  name: string;
  description?: string;
  chain: FirewallRule["chain"];
  port?: string;
  protocol: FirewallRule["protocol"];
  source?: string;
  destination?: string;
  action: FirewallRule["action"];
  enabled?: boolean;
  priority?: number;
  interface?: string;
  log_matches?: boolean;
  log_prefix?: string;
}

/** Checks across fields of a rule that no single field schema can see. */
export function checkRule(rule: FirewallRule): void {
  if (rule.port !== undefined && rule.protocol !== "TCP" && rule.protocol !== "UDP") {
    throw fieldError("port", `a port needs protocol TCP or UDP (protocol is ${rule.protocol})`);
  }
  const src = isAnyAddress(rule.source) ? undefined : cidrFamily(rule.source);
  const dst = isAnyAddress(rule.destination) ? undefined : cidrFamily(rule.destination);
  if (src && dst && src !== dst) throw fieldError("destination", `source is IPv${src} but destination is IPv${dst}`);
}

export async function addRule(target: FirewallTarget, input: RuleInput) {
  const now = new Date();
  const outcome = await changeArea(
    firewallSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by, now },
    async (doc) => {
      const rule: FirewallRule = {
        id: 0,
        name: input.name,
        description: input.description ?? "",
        chain: input.chain,
        port: input.port,
        protocol: input.protocol,
        source: input.source ?? "0.0.0.0/0",
        destination: input.destination ?? "0.0.0.0/0",
        action: input.action,
        enabled: input.enabled ?? true,
        priority: input.priority ?? 100,
        interface: input.interface,
        log_matches: input.log_matches ?? false,
        log_prefix: input.log_prefix,
        created: now.toISOString(),
      };
      checkRule(rule);
      rule.id = await nextFirewallRuleId(target.tenantId);
      return { next: { ...pruneExpired(doc, now), rules: [...doc.rules, rule] }, result: rule };
    },
  );
  return { rule: outcome.result, ...syncFields(outcome) };
}

function findRule(doc: FirewallScopeDoc, ruleId: number, target: FirewallTarget): FirewallRule {
  const rule = doc.rules.find((r) => r.id === ruleId);
  if (!rule) {
    const where =
      target.gatewayId === undefined
        ? "among the tenant-wide rules"
        : `among the overrides of gateway ${target.gatewayId}`;
    throw new NotFound(`body.rule_id: no rule ${ruleId} ${where}`);
  }
  return rule;
}

const isDefaultDeny = (r: FirewallRule) =>
  r.enabled &&
  r.chain === "INPUT" &&
  r.action !== "ACCEPT" &&
  r.port === undefined &&
  isAnyAddress(r.source) &&
  isAnyAddress(r.destination);

const acceptsPort = (r: FirewallRule, port: number) => {
  if (!r.enabled || r.chain !== "INPUT" || r.action !== "ACCEPT") return false;
  if (r.protocol !== "TCP" && r.protocol !== "ALL") return false;
  if (r.port === undefined) return true;
  const [lo, hi] = portRange(r.port);
  return lo <= port && port <= hi;
};

/** Why removing `rule` from what a gateway runs would be unsafe, or undefined. */
export function removalHazard(before: EffectiveFirewall, rule: FirewallRule, sshPort: number): string | undefined {
  const after = before.rules.filter((r) => r.id !== rule.id);
  if (isDefaultDeny(rule) && before.settings.default_policy === "ACCEPT" && !after.some(isDefaultDeny)) {
    return `rule ${rule.id} '${rule.name}' is the last default-deny rule and the default policy is ACCEPT: removing it opens the gateway to all inbound traffic`;
  }
  const denies = before.settings.default_policy === "DROP" || after.some(isDefaultDeny);
  if (acceptsPort(rule, sshPort) && denies && !after.some((r) => acceptsPort(r, sshPort))) {
    return `rule ${rule.id} '${rule.name}' is the last rule accepting SSH management on port ${sshPort}: removing it locks management out`;
  }
  return undefined;
}

/**
 * The gateways whose outcome a change of `target` must be checked for, without reading the fleet:
 * the one gateway of a per-gateway change; for a tenant-wide change every gateway with overrides of
 * its own (firewall or ssh) and `undefined`, standing for all the others (and the next registered).
 */
function checkedGateways(
  target: FirewallTarget,
  fw: { overlays: Map<number, unknown> },
  ssh: { overlays: Map<number, unknown> },
): (number | undefined)[] {
  if (target.gatewayId !== undefined) return [target.gatewayId];
  return [undefined, ...new Set([...fw.overlays.keys(), ...ssh.overlays.keys()])];
}

export async function removeRule(target: FirewallTarget, ruleId: number, force: boolean) {
  const now = new Date();
  const ssh = await loadStoredSnapshot(sshSpec, target.tenantId);
  const outcome = await changeArea(
    firewallSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by, now },
    (doc, snap) => {
      const rule = findRule(doc, ruleId, target);
      if (!force) {
        // Check what each affected gateway would run afterwards (tenant-wide rules reach them all).
        const views: [EffectiveFirewall, number][] = checkedGateways(target, snap, ssh).map((id) => [
          effectiveFirewall(snap.tenantDoc, id === undefined ? undefined : snap.overlays.get(id), now),
          sshSettingsOf(ssh.tenantDoc, id === undefined ? undefined : ssh.overlays.get(id)).port,
        ]);
        for (const [view, sshPort] of views) {
          const hazard = removalHazard(view, rule, sshPort);
          if (hazard) throw new Conflict(`${hazard}; send body.force: true to remove it anyway`);
        }
      }
      return { next: { ...pruneExpired(doc, now), rules: doc.rules.filter((r) => r.id !== ruleId) }, result: rule };
    },
  );
  return { rule: outcome.result, ...syncFields(outcome) };
}

export type RulePatch = Partial<Omit<RuleInput, "port" | "interface" | "log_prefix">> & {
  port?: string | null;
  interface?: string | null;
  log_prefix?: string | null;
};

const RULE_FIELDS = [
  "name",
  "description",
  "chain",
  "port",
  "protocol",
  "source",
  "destination",
  "action",
  "enabled",
  "priority",
  "interface",
  "log_matches",
  "log_prefix",
] as const;

export type Changes = Record<string, { old: unknown; new: unknown }>;

export async function updateRule(target: FirewallTarget, ruleId: number, patch: RulePatch) {
  const now = new Date();
  const outcome = await changeArea(
    firewallSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by, now },
    (doc) => {
      const rule = findRule(doc, ruleId, target);
      const next: FirewallRule = { ...rule };
      const changes: Changes = {};
      for (const field of RULE_FIELDS) {
        const value = patch[field];
        if (value === undefined) continue;
        const wanted = value === null ? undefined : value;
        if (wanted === rule[field]) continue;
        changes[field] = { old: rule[field] ?? null, new: wanted ?? null };
        Object.assign(next, { [field]: wanted });
      }
      checkRule(next);
      if (Object.keys(changes).length > 0) next.updated = now.toISOString();
      const rules = doc.rules.map((r) => (r.id === ruleId ? next : r));
      return { next: { ...pruneExpired(doc, now), rules }, result: { rule: next, changes } };
    },
  );
  return { ...outcome.result, ...syncFields(outcome) };
}

// ---------------------------------------------------------------------------------------------
// Whitelist, blacklist, ports

export type ListName = "whitelist" | "blacklist";

export interface ListChange {
  action: "add" | "remove";
  address: string;
  description?: string;
  /** An added entry's expiry: a time, or hours from now. */
  expires?: string;
  durationHours?: number;
}

/** When an added entry expires (ISO), if it does. */
function expiryOf(input: ListChange, now: Date): string | undefined {
  if (input.action !== "add") return undefined;
  if (input.durationHours !== undefined) {
    return new Date(now.getTime() + Math.round(input.durationHours * 3600_000)).toISOString();
  }
  return input.expires ? new Date(input.expires).toISOString() : undefined;
}

export async function manageList(target: FirewallTarget, list: ListName, input: ListChange) {
  const now = new Date();
  const expires = expiryOf(input, now);
  const other: ListName = list === "whitelist" ? "blacklist" : "whitelist";
  const outcome = await changeArea(
    firewallSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by, now },
    (current, snap) => {
      const doc = pruneExpired(current, now);
      const present = doc[list].some((e) => e.address === input.address);
      let entries: AddressEntry[];
      if (input.action === "add") {
        if (present) throw new Conflict(`body.ip_address: ${input.address} is already on the ${list}`);
        const effective = viewAfter(target, snap.tenantDoc, doc, now);
        if (effective[other].some((e) => e.address === input.address)) {
          throw new Conflict(`body.ip_address: ${input.address} is on the ${other}; remove it from there first`);
        }
        if (list === "blacklist" && isAnyAddress(input.address)) {
          throw fieldError("ip_address", "blacklisting every address would cut the gateway off");
        }
        entries = [
          ...doc[list],
          {
            address: input.address,
            description: input.description ?? "",
            expires,
            added: now.toISOString(),
            added_by: target.by,
          },
        ];
      } else {
        if (!present) throw new NotFound(`body.ip_address: ${input.address} is not on the ${list}`);
        entries = doc[list].filter((e) => e.address !== input.address);
      }
      const next = { ...doc, [list]: entries };
      return { next, result: viewAfter(target, snap.tenantDoc, next, now)[list].map((e) => e.address) };
    },
  );
  return { addresses: outcome.result, expires, ...syncFields(outcome) };
}

export async function managePort(
  target: FirewallTarget,
  input: { action: "block" | "unblock"; port: number; protocol: BlockedPort["protocol"]; reason?: string },
) {
  const now = new Date();
  const ssh = await loadStoredSnapshot(sshSpec, target.tenantId);
  const outcome = await changeArea(
    firewallSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by, now },
    (current, snap) => {
      const doc = pruneExpired(current, now);
      const same = (p: BlockedPort) => p.port === input.port && p.protocol === input.protocol;
      let ports: BlockedPort[];
      if (input.action === "block") {
        if (doc.blocked_ports.some(same))
          throw new Conflict(`body.port: ${input.port}/${input.protocol} is already blocked`);
        const sshPorts = new Set(
          checkedGateways(target, snap, ssh).map(
            (id) => sshSettingsOf(ssh.tenantDoc, id === undefined ? undefined : ssh.overlays.get(id)).port,
          ),
        );
        if (input.protocol !== "UDP" && sshPorts.has(input.port)) {
          throw new Conflict(
            `body.port: ${input.port} is the SSH management port; blocking it would lock management out`,
          );
        }
        ports = [
          ...doc.blocked_ports,
          { port: input.port, protocol: input.protocol, reason: input.reason ?? "", added: now.toISOString() },
        ];
      } else {
        if (!doc.blocked_ports.some(same))
          throw new NotFound(`body.port: ${input.port}/${input.protocol} is not blocked`);
        ports = doc.blocked_ports.filter((p) => !same(p));
      }
      const next = { ...doc, blocked_ports: ports };
      return { next, result: uniquePorts(viewAfter(target, snap.tenantDoc, next, now).blocked_ports) };
    },
  );
  return { blocked_ports: outcome.result, ...syncFields(outcome) };
}

const uniquePorts = (ports: BlockedPort[]) => [...new Set(ports.map((p) => p.port))];

// ---------------------------------------------------------------------------------------------
// Settings

/**
 * Changing these rebuilds the gateway's base tables and chain policies (a firewall restart) rather
 * than swapping rule sets; everything else is a reload.
 */
const RESTART_FIELDS = new Set(["enabled", "default_policy"]);

export async function updateSettings(target: FirewallTarget, patch: FirewallSettingsPatch) {
  const now = new Date();
  const outcome = await changeArea(
    firewallSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by, now },
    (current, snap) => {
      const doc = pruneExpired(current, now);
      const before = viewAfter(target, snap.tenantDoc, doc, now).settings;
      const nextSettings: FirewallSettingsPatch = {
        ...doc.settings,
        ...patch,
        ...(patch.rate_limiting ? { rate_limiting: { ...doc.settings.rate_limiting, ...patch.rate_limiting } } : {}),
      };
      const next = { ...doc, settings: nextSettings };
      const after = viewAfter(target, snap.tenantDoc, next, now).settings;
      if (after.rate_limiting.burst_size < after.rate_limiting.requests_per_second) {
        throw fieldError("rate_limiting.burst_size", "must be at least requests_per_second");
      }
      const changes: Changes = {};
      for (const key of Object.keys(after) as (keyof FirewallSettings)[]) {
        if (key === "rate_limiting") {
          for (const sub of Object.keys(after.rate_limiting) as (keyof FirewallSettings["rate_limiting"])[]) {
            if (after.rate_limiting[sub] !== before.rate_limiting[sub]) {
              changes[`rate_limiting.${sub}`] = { old: before.rate_limiting[sub], new: after.rate_limiting[sub] };
            }
          }
        } else if (after[key] !== before[key]) {
          changes[key] = { old: before[key], new: after[key] };
        }
      }
      return { next, result: changes };
    },
  );
  const changes = outcome.result;
  return {
    changes,
    restart_required: Object.keys(changes).some((k) => RESTART_FIELDS.has(k)),
    ...syncFields(outcome),
  };
}

/**
 * What every change answers besides its own result. Receipts of settings changes are written in the
 * settings documents' vocabulary (snake_case, as the routes answer them): tenancy's save-all reads
 * `changes` and `restart_required` from `updateSettings` as they are.
 */
function syncFields(outcome: ChangeOutcome<unknown>) {
  return { requires_reload: outcome.deviceChanged, config_version: outcome.configVersion, sync: outcome.sync };
}

// ---------------------------------------------------------------------------------------------
// Reads

async function effectiveFor(tenantId: string, gatewayId: number | undefined, now: Date) {
  const snap = await loadSnapshot(firewallSpec, tenantId);
  if (gatewayId !== undefined) requireGateway(snap.gateways, gatewayId, ["query", "gateway_id"]);
  const view = effectiveFirewall(
    snap.tenantDoc,
    gatewayId === undefined ? undefined : snap.overlays.get(gatewayId),
    now,
  );
  const overlayIds = new Set(
    (gatewayId === undefined ? undefined : snap.overlays.get(gatewayId))?.rules.map((r) => r.id),
  );
  return { snap, view, overlayIds };
}

const allowedPorts = (rules: FirewallRule[]) =>
  [
    ...new Set(
      rules
        .filter(
          (r) =>
            r.enabled && r.chain === "INPUT" && r.action === "ACCEPT" && r.port !== undefined && !r.port.includes("-"),
        )
        .map((r) => Number(r.port)),
    ),
  ].sort((a, b) => a - b);

export interface FirewallStatus {
  /** What the gateway (or, without one, every gateway without overrides) runs. */
  effective: EffectiveFirewall;
  blockedPorts: number[];
  allowedPorts: number[];
  /** Settings switched on here that the gateways do not enforce. */
  notEnforced: (typeof NOT_ENFORCED_ON_GATEWAY)[number][];
  stats: FirewallStatsToday;
  lastUpdated: string | null;
  configVersion: number;
}

export async function firewallStatus(tenantId: string, gatewayId?: number): Promise<FirewallStatus> {
  const now = new Date();
  const [{ snap, view }, stats] = await Promise.all([
    effectiveFor(tenantId, gatewayId, now),
    firewallStatsToday(tenantId, now, gatewayId),
  ]);
  return {
    effective: view,
    blockedPorts: uniquePorts(view.blocked_ports),
    allowedPorts: allowedPorts(view.rules),
    notEnforced: NOT_ENFORCED_ON_GATEWAY.filter((k) => view.settings[k]),
    stats,
    lastUpdated: snap.state.updatedAt ?? null,
    configVersion: gatewayId === undefined ? snap.state.version : snap.versionOf(gatewayId),
  };
}

/** A rule as listed: where it comes from and how often it matched. */
export interface ListedRule {
  rule: FirewallRule;
  hits: RuleHits | undefined;
  /** "gateway" for one gateway's override, "tenant" for a tenant-wide rule. */
  scope: "tenant" | "gateway";
}

export interface RuleListing {
  rules: ListedRule[];
  chains: Record<string, number>;
  actions: Record<string, number>;
  total: number;
}

export async function listRules(
  tenantId: string,
  q: { chain?: FirewallRule["chain"]; enabled?: boolean; limit: number; gatewayId?: number },
): Promise<RuleListing> {
  const now = new Date();
  const [{ view, overlayIds }, hits] = await Promise.all([
    effectiveFor(tenantId, q.gatewayId, now),
    ruleHits(tenantId),
  ]);
  const chains: Record<string, number> = { INPUT: 0, OUTPUT: 0, FORWARD: 0 };
  const actions: Record<string, number> = { ACCEPT: 0, DROP: 0, REJECT: 0 };
  for (const r of view.rules) {
    chains[r.chain] = (chains[r.chain] ?? 0) + 1;
    actions[r.action] = (actions[r.action] ?? 0) + 1;
  }
  const rules: ListedRule[] = view.rules
    .filter(
      (r) => (q.chain === undefined || r.chain === q.chain) && (q.enabled === undefined || r.enabled === q.enabled),
    )
    .slice(0, q.limit)
    .map((r) => ({ rule: r, hits: hits.get(r.id), scope: overlayIds.has(r.id) ? "gateway" : "tenant" }));
  return { rules, chains, actions, total: view.rules.length };
}

/** For the status route: is the firewall on, and how many rules are active, tenant-wide. */
export async function firewallSummary(tenantId: string): Promise<{ enabled: boolean; rules_active: number }> {
  const snap = await loadSnapshot(firewallSpec, tenantId, []);
  const view = effectiveFirewall(snap.tenantDoc, undefined, new Date());
  return { enabled: view.settings.enabled, rules_active: view.rules.filter((r) => r.enabled).length };
}

// ---------------------------------------------------------------------------------------------
// Whole documents (restore from a backup, reset to defaults)

/**
 * Checks a whole scope document as `replaceFirewallScope` would save it, without saving: every
 * rule's cross-field rules, the rate-limit burst, and what the document renders to (the gateway
 * contract and the shadow budget, as the tenant-wide document a gateway without overrides gets).
 * Field-level checks (CIDRs, ports, names) are the request schemas' and happen before this.
 */
export function checkFirewallScope(doc: FirewallScopeDoc, now = new Date()): void {
  doc.rules.forEach(checkRule);
  const effective = effectiveFirewall(doc, undefined, now);
  if (effective.settings.rate_limiting.burst_size < effective.settings.rate_limiting.requests_per_second) {
    throw fieldError("rate_limiting.burst_size", "must be at least requests_per_second");
  }
  const rendered = renderFirewallDesired(effective, 0, now);
  assertContract(firewallSpec, rendered);
  assertFits("firewall", rendered, "the tenant's gateways");
}

/**
 * Replaces one scope's whole document (rules keep their ids) and pushes it to the scope's
 * gateways. `doc` must have passed `checkFirewallScope`; an empty document is the defaults.
 */
export async function replaceFirewallScope(target: FirewallTarget, doc: FirewallScopeDoc) {
  const now = new Date();
  const outcome = await changeArea(
    firewallSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by, now },
    () => {
      checkFirewallScope(doc, now);
      return { next: doc, result: doc.rules.length };
    },
  );
  return { rules: outcome.result, ...syncFields(outcome) };
}

export type { FirewallScopeDoc };

/** A scope document with nothing set: no rules or lists, default settings (what a reset saves). */
export const emptyFirewallScope = (): FirewallScopeDoc => parseFirewallDoc({});

/** The tenant-wide document and every live gateway's overrides, as stored (for a backup). */
export async function firewallDocuments(
  tenantId: string,
): Promise<{ tenant: FirewallScopeDoc; gateways: Map<number, FirewallScopeDoc> }> {
  const snap = await loadSnapshot(firewallSpec, tenantId);
  return { tenant: snap.tenantDoc, gateways: snap.overlays };
}
