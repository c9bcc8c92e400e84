/**
 * The fleet's response views: what its routes answer, in the gateway spec's wire shape (snake_case).
 *
 * Two vocabularies meet here, on purpose:
 * - The firewall and SSH settings documents ARE the shadow contract (edge/contract.ts): rules,
 *   whitelist and blacklist entries, blocked ports, settings, SSH keys and termination requests are
 *   stored, merged and sent to the gateways in the contract's own snake_case, and pass through
 *   here as they are. The receipts of settings changes (`changes`, `restart_required`,
 *   `requires_reload`, `config_version`, `sync`) are written in the same vocabulary by
 *   firewall.ts and ssh.ts (tenancy's save-all reads them so).
 * - The fleet's own entities — gateway records, shadow sync state, what the gateways report
 *   (firewall log lines, SSH sessions, counters) — are camelCase in the domain and converted here.
 *
 * Nothing here reads or decides: a view only renames, formats ("HH:MM:SS", null for absent) and
 * adds the fixed words of an answer (`status`, `message`).
 *
 * Beside each view, the zod schema of the answer it builds (`…Response`): the endpoint declares it
 * (`response:`), the OpenAPI document is generated from it, and the tests check every real answer
 * against it.
 */
import * as z from "zod/mini";
import {
  ACTIONS,
  CHAINS,
  DEFAULT_POLICIES,
  type FirewallRule,
  PORT_PROTOCOLS,
  PROTOCOLS,
} from "#shared/fleet/db/firewall.ts";
import type { Gateway } from "#shared/fleet/db/gateways.ts";
import { LOGIN_METHODS, type StoredSshKey } from "#shared/fleet/db/ssh.ts";
import type { ProvisionedDevice } from "#shared/iot/registry.ts";
import { responseSchema } from "#shared/kit/text.ts";
import type { FanOutReceipt } from "./fan-out.ts";
import type { FirewallStatus, ListName, RuleListing } from "./firewall.ts";
import type { FirewallLogs } from "./firewall-log.ts";
import type { GatewayStatus } from "./gateway-status.ts";
import type { PushReport, SyncState } from "./shadow-sync.ts";
import type { SshSettingsReport, TerminatedSshSession } from "./ssh.ts";
import type { SshSession, SshSessionListing } from "./ssh-sessions.ts";

const timestamp = /* @__PURE__ */ responseSchema(() => z.iso.datetime({ offset: true }));
const count = /* @__PURE__ */ responseSchema(() => z.number().check(z.int(), z.gte(0)));
const id = /* @__PURE__ */ responseSchema(() => z.number().check(z.int(), z.positive()));
/** "HH:MM:SS" (hours may exceed 24). */
const hms = /* @__PURE__ */ responseSchema(() => z.string().check(z.regex(/^\d{2,}:[0-5]\d:[0-5]\d$/)));
/** What a change changed: field (dotted for nested settings) → its old and new value. */
const ChangesSchema = /* @__PURE__ */ responseSchema(() =>
  z
    .record(z.string(), z.strictObject({ old: z.unknown(), new: z.unknown() }))
    .check(z.meta({ id: "FleetChanges", description: "Each changed field with its old and new value." })),
);

/** "HH:MM:SS" (hours may exceed 24). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}

// ---------------------------------------------------------------------------------------------
// Gateways

export const SyncStateSchema = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      desired_version: z.nullable(count),
      reported_version: z.nullable(count),
      reported_at: z.nullable(z.string()),
      status: z.enum(["pending", "applied", "failed", "drifted"]),
      error: z.nullable(z.string()),
      last_write: z.nullable(
        z.strictObject({
          config_version: count,
          outcome: z.enum(["written", "superseded", "failed"]),
          error: z.nullable(z.string()),
          at: timestamp,
          execution_id: z.string(),
          throttle_retries: count,
        }),
      ),
    })
    .check(
      z.meta({
        id: "ShadowSyncState",
        description:
          "Where one named shadow stands: the config version the cloud asks for, the one the gateway applied, and " +
          "whether they agree (pending: a change is on its way; applied; failed: the gateway refused the desired " +
          "version and keeps its previous one, or the cloud's write of the shadow failed; drifted: the gateway runs " +
          "something the cloud did not ask for). last_write: what the change fan-out did the last time it wrote this " +
          "shadow (written; superseded: a newer change reached the gateway first; failed, with the reason).",
      }),
    ),
);

export const syncStateView = (s: SyncState) => ({
  desired_version: s.desiredVersion,
  reported_version: s.reportedVersion,
  reported_at: s.reportedAt,
  status: s.status,
  error: s.error,
  last_write: s.lastWrite
    ? {
        config_version: s.lastWrite.configVersion,
        outcome: s.lastWrite.outcome,
        error: s.lastWrite.error,
        at: s.lastWrite.at,
        execution_id: s.lastWrite.executionId,
        throttle_retries: s.lastWrite.retries,
      }
    : null,
});

export const gatewayView = (s: GatewayStatus) => ({
  id: s.gateway.id,
  name: s.gateway.name,
  description: s.gateway.description,
  location: s.gateway.location,
  thing_name: s.gateway.thingName,
  certificate_id: s.gateway.certificateId,
  created: s.gateway.createdAt,
  created_by: s.gateway.createdBy,
  last_seen: s.gateway.lastSeen ?? null,
  status: s.online ? "online" : "offline",
  metrics: s.gateway.lastMetrics ?? null,
  sync: Object.fromEntries(Object.entries(s.sync).map(([name, state]) => [name, syncStateView(state)])),
});

export const GatewayResponse = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      id,
      name: z.string(),
      description: z.string(),
      location: z.string(),
      thing_name: z.string(),
      certificate_id: z.string(),
      created: timestamp,
      created_by: z.string(),
      last_seen: z.nullable(timestamp),
      status: z.enum(["online", "offline"]),
      metrics: z.nullable(z.record(z.string(), z.unknown())),
      sync: z.record(z.string(), SyncStateSchema),
    })
    .check(z.meta({ id: "Gateway", description: "A registered gateway with the sync state of each named shadow." })),
);

export type GatewayView = ReturnType<typeof gatewayView>;

export const fleetView = (gateways: GatewayStatus[]) => ({
  gateways: gateways.map(gatewayView),
  total: gateways.length,
});

export const FleetResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({ gateways: z.array(GatewayResponse), total: count }),
);

/** Where and how a newly registered gateway connects. */
export interface DeviceConnection {
  endpoint: string;
  clientId: string;
  thingName: string;
  eventsTopic: string;
  shadows: { name: string; topics: unknown }[];
}

/**
 * What registering a gateway hands over, once: the gateway, its certificate and private key, and
 * where it connects. Local mode and the bench read it as the route answers it.
 */
export const registrationReceipt = (r: {
  status: GatewayStatus;
  device: ProvisionedDevice;
  connection: DeviceConnection;
  initialSync: { firewall: PushReport; ssh: PushReport };
}) => ({
  gateway: gatewayView(r.status),
  credentials: {
    certificate_id: r.device.certificateId,
    certificate_pem: r.device.certificatePem,
    private_key: r.device.privateKey,
  },
  connection: {
    endpoint: r.connection.endpoint,
    client_id: r.connection.clientId,
    thing_name: r.connection.thingName,
    events_topic: r.connection.eventsTopic,
    shadows: r.connection.shadows,
  },
  initial_sync: r.initialSync,
});

export type RegistrationReceipt = ReturnType<typeof registrationReceipt>;

const PushReportSchema = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      targeted: count,
      written: count,
      failed: z.array(z.strictObject({ gateway_id: id, error: z.string() })),
    })
    .check(
      z.meta({
        id: "ShadowPushReport",
        description:
          "Which gateways' shadows the change was written to. Each gateway's edge handler then applies it on its own; " +
          "GET /gateways shows whether it did (sync).",
      }),
    ),
);

const FanOutReceiptSchema = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      status: z.enum(["pending", "none", "not_started"]),
      targeted: count,
      execution_id: z.nullable(z.string()),
      error: z.nullable(z.string()),
    })
    .check(
      z.meta({
        id: "FleetSyncReceipt",
        description:
          "How the change reaches the gateways. The API saved it and answered at once; a workflow writes it to the named " +
          "shadow of each of the `targeted` gateways (pending), or none is affected (none), or the workflow could not be " +
          "started (not_started: the change stays saved; POST /gateways/resync writes it). GET /gateways shows each " +
          "gateway's sync state (pending until the gateway reports the version applied) and the last write's outcome.",
      }),
    ),
);

export const GatewayRegisteredResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("registered"),
    gateway: GatewayResponse,
    certificate: z.strictObject({
      certificate_id: z.string(),
      certificate_pem: z.string(),
      private_key: z.string().check(z.describe("PEM private key of the device certificate: shown once, never stored.")),
    }),
    connection: z.strictObject({
      endpoint: z.string(),
      client_id: z.string(),
      thing_name: z.string(),
      events_topic: z.string(),
      shadows: z.array(z.strictObject({ name: z.string(), topics: z.string() })),
    }),
    initial_sync: z.strictObject({ firewall: PushReportSchema, ssh: PushReportSchema }),
    message: z.string(),
  }),
);

export const registeredView = (r: RegistrationReceipt) => ({
  status: "registered",
  gateway: r.gateway,
  certificate: r.credentials,
  connection: r.connection,
  initial_sync: r.initial_sync,
  message: "Gateway registered. Store the private key now: it is shown once and never again.",
});

export const GatewayResyncedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("resynced"),
    gateway_id: id,
    sync: z.strictObject({ firewall: PushReportSchema, ssh: PushReportSchema }),
    message: z.string(),
  }),
);

/** POST /gateways/{gateway_id}/resync: the saved configuration written to the gateway's shadows in the call. */
export const gatewayResyncedView = (gatewayId: number, sync: { firewall: PushReport; ssh: PushReport }) => ({
  status: "resynced",
  gateway_id: gatewayId,
  sync,
  message: "The saved configuration was written to the gateway's shadows; GET /gateways shows when it applies it.",
});

export const FleetResyncedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.enum(["pending", "nothing_to_resync"]),
    gateway_ids: z.array(id),
    sync: z.strictObject({
      firewall: FanOutReceiptSchema,
      ssh: FanOutReceiptSchema,
      certificates: FanOutReceiptSchema,
    }),
    message: z.string(),
  }),
);

/** POST /gateways/resync: which gateways were failed or drifted, and the fan-out per shadow writing them. */
export const fleetResyncedView = (r: {
  gateways: number[];
  sync: Record<"firewall" | "ssh" | "certificates", FanOutReceipt>;
}) => ({
  status: r.gateways.length > 0 ? "pending" : "nothing_to_resync",
  gateway_ids: r.gateways,
  sync: r.sync,
  message:
    r.gateways.length > 0
      ? `Writing the saved configuration to ${r.gateways.length} failed or drifted gateway(s); GET /gateways shows their progress.`
      : "No gateway is failed or drifted.",
});

export const GatewayDeregisteredResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("deleted"),
    gateway_id: id,
    name: z.string(),
    thing_name: z.string(),
    message: z.string(),
  }),
);

export const deregisteredView = (g: Gateway) => ({
  status: "deleted",
  gateway_id: g.id,
  name: g.name,
  thing_name: g.thingName,
  message: "Gateway deregistered: certificate detached, revoked and deleted; thing and shadows removed",
});

// ---------------------------------------------------------------------------------------------
// Settings changes (firewall and SSH)

/** The part every settings change answers: is a reload due, the new config version, which gateways took it. */
interface Receipt {
  requires_reload: boolean;
  config_version: number;
  sync: FanOutReceipt;
}

/** The receipt fields every settings change answers with. */
const receiptShape = /* @__PURE__ */ responseSchema(() => ({
  requires_reload: z
    .boolean()
    .check(
      z.describe(
        "True when what the gateways run changes (nftables ruleset, sshd_config): each affected gateway's edge handler " +
          "reloads it by itself when the new config version reaches its shadow; nothing is left for the caller to do. " +
          "False when only stored values changed (nothing on the gateways changes).",
      ),
    ),
  config_version: count.check(z.describe("The area's config version this change was saved as.")),
  sync: FanOutReceiptSchema,
}));

const receipt = (r: Receipt) => ({
  requires_reload: r.requires_reload,
  config_version: r.config_version,
  sync: r.sync,
});

type Changes = Record<string, { old: unknown; new: unknown }>;

export const SettingsUpdatedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("updated"),
    message: z.string(),
    restart_required: z
      .boolean()
      .check(
        z.describe(
          "True when a changed field restarts the service on the gateway (sshd's port, the firewall's enabled)",
        ),
      ),
    changes: ChangesSchema,
    ...receiptShape,
  }),
);

/** POST /firewall/settings and POST /ssh/update. */
export const settingsUpdatedView = (
  what: "Firewall" | "SSH",
  r: Receipt & { changes: Changes; restart_required: boolean },
) => ({
  status: "updated",
  message: Object.keys(r.changes).length ? `${what} settings updated successfully` : `${what} settings unchanged`,
  restart_required: r.restart_required,
  changes: r.changes,
  ...receipt(r),
});

// ---------------------------------------------------------------------------------------------
// Firewall

const FirewallRuleSchema = /* @__PURE__ */ responseSchema(() =>
  z
    .strictObject({
      id,
      name: z.string(),
      description: z.string(),
      chain: z.enum(CHAINS),
      port: z.optional(z.string()),
      protocol: z.enum(PROTOCOLS),
      source: z.string(),
      destination: z.string(),
      action: z.enum(ACTIONS),
      enabled: z.boolean(),
      priority: z.number(),
      interface: z.optional(z.string()),
      log_matches: z.boolean(),
      log_prefix: z.optional(z.string()),
      created: timestamp,
      updated: z.optional(timestamp),
    })
    .check(z.meta({ id: "FirewallRule" })),
);

export const RuleAddedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("added"),
    rule_id: id,
    rule: FirewallRuleSchema,
    message: z.string(),
    ...receiptShape,
  }),
);

export const ruleAddedView = (r: Receipt & { rule: FirewallRule }) => ({
  status: "added",
  rule_id: r.rule.id,
  rule: r.rule,
  message: "Firewall rule added successfully",
  ...receipt(r),
});

export const RuleRemovedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("removed"),
    rule_id: id,
    rule_name: z.string(),
    message: z.string(),
    ...receiptShape,
  }),
);

export const ruleRemovedView = (r: Receipt & { rule: FirewallRule }) => ({
  status: "removed",
  rule_id: r.rule.id,
  rule_name: r.rule.name,
  message: "Firewall rule removed successfully",
  ...receipt(r),
});

export const RuleUpdatedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("updated"),
    rule_id: id,
    rule_name: z.string(),
    message: z.string(),
    changes: ChangesSchema,
    ...receiptShape,
  }),
);

export const ruleUpdatedView = (r: Receipt & { rule: FirewallRule; changes: Changes }) => ({
  status: "updated",
  rule_id: r.rule.id,
  rule_name: r.rule.name,
  message: Object.keys(r.changes).length ? "Firewall rule updated successfully" : "Firewall rule unchanged",
  changes: r.changes,
  ...receipt(r),
});

const addressListShape = /* @__PURE__ */ responseSchema(() => ({
  status: z.literal("updated"),
  action: z.enum(["added", "removed"]),
  ip_address: z.string(),
  message: z.string(),
  expires: z.nullable(timestamp),
  ...receiptShape,
}));
export const WhitelistChangedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({ ...addressListShape, whitelist: z.array(z.string()) }),
);
export const BlacklistChangedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({ ...addressListShape, blacklist: z.array(z.string()) }),
);

/** POST /firewall/whitelist/manage and /firewall/blacklist/manage. */
export const addressListView = (
  list: ListName,
  input: { action: "add" | "remove"; ip_address: string },
  r: Receipt & { addresses: string[]; expires: string | undefined },
) => ({
  status: "updated",
  action: input.action === "add" ? "added" : "removed",
  ip_address: input.ip_address,
  [list]: r.addresses,
  message: input.action === "add" ? `IP address added to ${list}` : `IP address removed from ${list}`,
  expires: r.expires ?? null,
  ...receipt(r),
});

export const PortChangedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("updated"),
    action: z.enum(["blocked", "unblocked"]),
    port: z.number().check(z.int(), z.gte(1), z.lte(65535)),
    protocol: z.enum(PORT_PROTOCOLS),
    blocked_ports: z.array(z.number()),
    message: z.string(),
    ...receiptShape,
  }),
);

export const portView = (
  input: { action: "block" | "unblock"; port: number; protocol: string },
  r: Receipt & { blocked_ports: number[] },
) => ({
  status: "updated",
  action: input.action === "block" ? "blocked" : "unblocked",
  port: input.port,
  protocol: input.protocol,
  blocked_ports: r.blocked_ports,
  message: input.action === "block" ? "Port blocked successfully" : "Port unblocked successfully",
  ...receipt(r),
});

const addressEntry = /* @__PURE__ */ responseSchema(() => ({
  ip_address: z.string(),
  expires: z.nullable(timestamp),
  added: timestamp,
}));

export const FirewallStatusResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    enabled: z.boolean(),
    rules_count: count,
    ip_whitelist: z.array(z.string()),
    ip_blacklist: z.array(z.string()),
    blocked_ports: z.array(z.number()),
    allowed_ports: z.array(z.number()),
    security_features: z.strictObject({
      rate_limiting: z.strictObject({ enabled: z.boolean(), requests_per_second: z.number(), burst_size: z.number() }),
      dos_protection: z.boolean(),
      syn_flood_protection: z.boolean(),
      port_scan_detection: z.boolean(),
      vpn_enabled: z.boolean(),
      geo_blocking: z.boolean(),
    }),
    statistics: z.strictObject({
      packets_blocked_today: count,
      packets_allowed_today: count,
      unique_ips_blocked: count,
      dos_attacks_blocked: count,
      port_scans_blocked: count,
    }),
    not_enforced_on_gateway: z
      .array(z.string())
      .check(z.describe("Settings switched on here that the gateways do not enforce (stored and shown as set).")),
    last_updated: z.nullable(timestamp),
    default_policy: z.enum(DEFAULT_POLICIES),
    config_version: count,
    blacklist_entries: z.array(z.strictObject({ ...addressEntry, reason: z.string() })),
    whitelist_entries: z.array(z.strictObject({ ...addressEntry, description: z.string() })),
  }),
);

export const firewallStatusView = (st: FirewallStatus) => {
  const f = st.effective;
  const s = f.settings;
  return {
    enabled: s.enabled,
    rules_count: f.rules.length,
    ip_whitelist: f.whitelist.map((e) => e.address),
    ip_blacklist: f.blacklist.map((e) => e.address),
    blocked_ports: st.blockedPorts,
    allowed_ports: st.allowedPorts,
    security_features: {
      rate_limiting: { ...s.rate_limiting },
      dos_protection: s.dos_protection,
      syn_flood_protection: s.syn_flood_protection,
      port_scan_detection: s.port_scan_detection,
      vpn_enabled: s.vpn_enabled,
      geo_blocking: s.geo_blocking,
    },
    statistics: {
      packets_blocked_today: st.stats.packetsBlocked,
      packets_allowed_today: st.stats.packetsAllowed,
      unique_ips_blocked: st.stats.uniqueIpsBlocked,
      dos_attacks_blocked: st.stats.dosAttacksBlocked,
      port_scans_blocked: st.stats.portScansBlocked,
    },
    /** Settings switched on here that the gateways do not enforce (spec fields above stay as stored). */
    not_enforced_on_gateway: st.notEnforced,
    last_updated: st.lastUpdated,
    default_policy: s.default_policy,
    config_version: st.configVersion,
    blacklist_entries: f.blacklist.map((e) => ({
      ip_address: e.address,
      reason: e.description,
      expires: e.expires ?? null,
      added: e.added,
    })),
    whitelist_entries: f.whitelist.map((e) => ({
      ip_address: e.address,
      description: e.description,
      expires: e.expires ?? null,
      added: e.added,
    })),
  };
};

export const RulesResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    rules: z.array(
      z.strictObject({
        ...FirewallRuleSchema.shape,
        hit_count: count,
        last_hit: z.nullable(timestamp),
        scope: z
          .enum(["tenant", "gateway"])
          .check(z.describe("tenant: a tenant-wide rule; gateway: that gateway's own")),
      }),
    ),
    chains: z.record(z.string(), count),
    actions: z.record(z.string(), count),
    total: count,
  }),
);

export const rulesView = (l: RuleListing) => ({
  rules: l.rules.map((r) => ({
    ...r.rule,
    hit_count: r.hits?.count ?? 0,
    last_hit: r.hits?.last ?? null,
    scope: r.scope,
  })),
  chains: l.chains,
  actions: l.actions,
  total: l.total,
});

export const FirewallLogsResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    logs: z.array(
      z.strictObject({
        timestamp,
        action: z.string(),
        protocol: z.string(),
        source_ip: z.string(),
        source_port: z.nullable(z.number()),
        destination_ip: z.string(),
        destination_port: z.nullable(z.number()),
        interface: z.nullable(z.string()),
        rule_name: z.nullable(z.string()),
        bytes: z.nullable(z.number()),
        reason: z.optional(z.string()),
        gateway_id: id,
      }),
    ),
    total: count,
    filtered: count,
    statistics: z.strictObject({
      dropped: count,
      accepted: count,
      rejected: count,
      top_source_ips: z.array(z.strictObject({ ip: z.string(), count })),
      top_blocked_ports: z.array(z.strictObject({ port: z.number(), count })),
    }),
  }),
);

export const firewallLogsView = (l: FirewallLogs) => ({
  logs: l.lines.map((line) => ({
    timestamp: line.timestamp,
    action: line.action,
    protocol: line.protocol,
    source_ip: line.sourceIp,
    source_port: line.sourcePort ?? null,
    destination_ip: line.destinationIp,
    destination_port: line.destinationPort ?? null,
    interface: line.interface ?? null,
    rule_name: line.ruleName ?? null,
    bytes: line.bytes ?? null,
    ...(line.reason ? { reason: line.reason } : {}),
    gateway_id: line.gatewayId,
  })),
  total: l.total,
  filtered: l.filtered,
  statistics: {
    dropped: l.statistics.dropped,
    accepted: l.statistics.accepted,
    rejected: l.statistics.rejected,
    top_source_ips: l.statistics.topSourceIps,
    top_blocked_ports: l.statistics.topBlockedPorts,
  },
});

// ---------------------------------------------------------------------------------------------
// SSH

export const SshSettingsResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    enabled: z.boolean(),
    port: z.number(),
    listen_address: z.string(),
    login_method: z.enum(LOGIN_METHODS),
    password_authentication: z.boolean(),
    restricted_shell: z.boolean(),
    session_timeout: z.number().check(z.describe("Minutes of inactivity before sshd drops a session; 0: never.")),
    max_sessions_per_user: z.number(),
    max_auth_attempts: z.number(),
    banner_enabled: z.boolean(),
    banner_message: z.string(),
    allowed_commands: z.array(z.string()),
    allowed_directories: z.array(z.string()),
    require_tty: z.boolean(),
    compression: z.boolean(),
    public_key_uploaded: z.boolean(),
    public_keys: z.array(
      z.strictObject({
        fingerprint: z.string(),
        type: z.string(),
        size: z.number(),
        comment: z.string(),
        added: timestamp,
        username: z.string(),
      }),
    ),
    last_connection: z.nullable(timestamp),
    connections_today: count,
    failed_attempts_today: count,
    config_version: count,
  }),
);

export const sshSettingsView = (r: SshSettingsReport) => {
  const { keys, stats, configVersion, ...settings } = r;
  return {
    ...settings,
    public_key_uploaded: keys.length > 0,
    public_keys: keys.map((k) => ({
      fingerprint: k.fingerprint,
      type: k.type,
      size: k.size,
      comment: k.comment,
      added: k.added,
      username: k.username,
    })),
    last_connection: stats.lastConnection,
    connections_today: stats.connectionsToday,
    failed_attempts_today: stats.failedToday,
    config_version: configVersion,
  };
};

const sshKeyReceipt = /* @__PURE__ */ responseSchema(() => ({
  config_version: receiptShape.config_version,
  sync: FanOutReceiptSchema,
}));

export const SshKeyUploadedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("uploaded"),
    fingerprint: z.string(),
    key_type: z.string(),
    key_size: z.number(),
    comment: z.string(),
    username: z.string(),
    added: timestamp,
    message: z.string(),
    ...sshKeyReceipt,
  }),
);

export const sshKeyUploadedView = (r: Omit<Receipt, "requires_reload"> & { key: StoredSshKey }) => ({
  status: "uploaded",
  fingerprint: r.key.fingerprint,
  key_type: r.key.type,
  key_size: r.key.size,
  comment: r.key.comment,
  username: r.key.username,
  added: r.key.added,
  message: "SSH public key uploaded successfully",
  config_version: r.config_version,
  sync: r.sync,
});

export const SshKeyRemovedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("removed"),
    fingerprint: z.string(),
    username: z.string(),
    message: z.string(),
    ...sshKeyReceipt,
  }),
);

export const sshKeyRemovedView = (r: Omit<Receipt, "requires_reload"> & { key: StoredSshKey }) => ({
  status: "removed",
  fingerprint: r.key.fingerprint,
  username: r.key.username,
  message: "SSH public key removed successfully",
  config_version: r.config_version,
  sync: r.sync,
});

const terminationRequestedView = (s: SshSession) =>
  s.terminationRequested
    ? {
        termination_requested: {
          reason: s.terminationRequested.reason,
          requested_at: s.terminationRequested.requestedAt,
          requested_by: s.terminationRequested.requestedBy,
          notify_user: s.terminationRequested.notifyUser,
        },
      }
    : {};

export const SshSessionsResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    active_sessions: z.array(
      z.strictObject({
        session_id: z.string(),
        username: z.string(),
        client_ip: z.string(),
        client_hostname: z.nullable(z.string()),
        started: timestamp,
        duration: hms,
        command_count: count,
        last_command: z.nullable(z.string()),
        last_command_time: z.nullable(timestamp),
        tty: z.nullable(z.string()),
        process_id: z.nullable(z.number()),
        idle_time: hms,
        gateway_id: id,
        termination_requested: z.optional(
          z.strictObject({
            reason: z.string(),
            requested_at: timestamp,
            requested_by: z.string(),
            notify_user: z.boolean(),
          }),
        ),
      }),
    ),
    recent_sessions: z.array(
      z.strictObject({
        session_id: z.string(),
        username: z.string(),
        client_ip: z.string(),
        started: timestamp,
        ended: z.nullable(timestamp),
        duration: hms,
        command_count: count,
        termination_reason: z.nullable(z.string()),
        gateway_id: id,
      }),
    ),
    total_sessions_today: count,
    unique_users_today: count,
    unique_ips_today: count,
  }),
);

export const sshSessionsView = (l: SshSessionListing) => ({
  active_sessions: l.active.map(({ sshSession: s, durationMs, idleMs }) => ({
    session_id: s.id,
    username: s.username,
    client_ip: s.clientIp,
    client_hostname: s.clientHostname ?? null,
    started: s.started,
    duration: formatDuration(durationMs),
    command_count: s.commandCount,
    last_command: s.lastCommand ?? null,
    last_command_time: s.lastCommandTime ?? null,
    tty: s.tty ?? null,
    process_id: s.processId ?? null,
    idle_time: formatDuration(idleMs),
    gateway_id: s.gatewayId,
    ...terminationRequestedView(s),
  })),
  recent_sessions: l.endedToday.map(({ sshSession: s, durationMs }) => ({
    session_id: s.id,
    username: s.username,
    client_ip: s.clientIp,
    started: s.started,
    ended: s.ended ?? null,
    duration: formatDuration(durationMs),
    command_count: s.commandCount,
    termination_reason: s.terminationReason ?? null,
    gateway_id: s.gatewayId,
  })),
  total_sessions_today: l.totalToday,
  unique_users_today: l.uniqueUsersToday,
  unique_ips_today: l.uniqueIpsToday,
});

export const SshSessionTerminatedResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("terminated"),
    session_id: z.string(),
    username: z.string(),
    message: z.string(),
    user_notified: z.boolean(),
    session_duration: hms,
    gateway_id: id,
    config_version: count,
  }),
);

export const sshSessionTerminatedView = (t: TerminatedSshSession) => ({
  status: "terminated",
  session_id: t.sshSession.id,
  username: t.sshSession.username,
  message: "SSH session terminated successfully",
  user_notified: t.requested.notify_user,
  session_duration: formatDuration(t.durationMs),
  gateway_id: t.sshSession.gatewayId,
  config_version: t.configVersion,
});
