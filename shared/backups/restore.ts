/**
 * Restoring a backup: open it (format.ts: the GCM tag, the tenant, the password), check every
 * file against the manifest and the stored checksum, validate every record of every chosen
 * component with the rules of the routes that make such records, and only then write — each
 * component through its area's own functions (firewall and SSH documents are pushed to every
 * gateway). Any refusal before the writes is a 400 (or 403 for permissions beyond the caller's)
 * and changes nothing.
 *
 * What each component restores:
 *   - roles: custom roles missing from the tenant are created; existing ones are kept as they are;
 *   - users: existing accounts (same id and username) get back their name, e-mail, role and
 *     active/inactive status; a locked account stays locked (a lock is a security response, not
 *     configuration). Accounts are never recreated: a backup holds no password or second factor;
 *   - api_keys: keys missing from the tenant are recreated with their exact hash, so they work
 *     again with the secret their holders kept; revoked and expired keys are not recreated and a
 *     key that still exists is never changed (see identity/api-keys.ts `planApiKeyRestore`);
 *   - authentication: the whole policy; firewall_rules and ssh: the tenant-wide document and the
 *     overrides of gateways that still exist, replaced whole; settings: audit retention and the
 *     access-token lifetime;
 *   - certificates and audit_logs: never written back (components.ts `NOT_RESTORABLE`).
 *
 * The writes of several components cannot share one transaction (they live in different items,
 * written by their areas' own functions, and in device shadows), so a restore is all-or-nothing by
 * compensation: after validation, and before any write, the current state of every component it
 * will replace is read (authentication policy, settings, the firewall and SSH documents of each
 * scope, the fields of each user it changes). Each write records how to put it back; when a write
 * fails (a concurrent change a condition catches, a gateway deleted meanwhile, the platform
 * failing), every earlier write is put back, newest first, and the restore answers 409 (503 when
 * the platform failed) saying so; GET /restore/report/{id} has each component's outcome
 * (`rolled_back`, `not_written`). Replaceable components are written first (authentication,
 * settings, firewall, SSH); roles and API keys are only ever created by a restore and no area
 * deletes them, so they come last (roles, then the users that may name them, then keys): a failure
 * after some were created keeps those, and the report names them. Firewall and SSH put back are
 * pushed to the gateways again (a new config version with the previous content).
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { getAuditSettings, setAuditRetention } from "#shared/audit/retention.ts";
import {
  checkFirewallScope,
  emptyFirewallScope,
  type FirewallScopeDoc,
  firewallDocuments,
  replaceFirewallScope,
} from "#shared/fleet/firewall.ts";
import { listFleet } from "#shared/fleet/gateways.ts";
import { checkSshScope, emptySshScope, replaceSshScope, type SshScopeDoc, sshDocuments } from "#shared/fleet/ssh.ts";
import { type ApiKeyRestorePlan, applyApiKeyRestore, planApiKeyRestore } from "#shared/identity/api-keys.ts";
import { checkAuthSettings, getAuthPolicy, updateAuthSettings } from "#shared/identity/auth-policy.ts";
import type { Principal } from "#shared/identity/principal.ts";
import { applyRoleRestore, knownRoleIds, planRoleRestore, type RoleRestorePlan } from "#shared/identity/roles.ts";
import { chosenTokenTtl, updateTokenSettings } from "#shared/identity/token-settings.ts";
import { listUserSummaries, updateUser } from "#shared/identity/users.ts";
import { AppError, Invalid } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { unpackArchive } from "./archive.ts";
import { MANIFEST } from "./collect.ts";
import { type Component, FILES, NOT_RESTORABLE } from "./components.ts";
import type { BackupRecord, RestoreReport } from "./db/backups.ts";
import { isSealed, open, unreadable } from "./format.ts";
import {
  ApiKeyRecordSchema,
  AuthenticationFile,
  FirewallFile,
  ManifestFile,
  RoleRecord,
  SettingsFile,
  SshFile,
  UserRecord,
} from "./schemas.ts";

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** A 400 naming a file of the backup (and the record's path inside it). */
function invalidRecord(file: string, error: z.core.$ZodError): Invalid {
  const issue = error.issues[0];
  const where = [file, ...(issue?.path ?? []).map(String)].join(".");
  const msg = issue?.message ?? "invalid";
  return new Invalid(`file: ${where}: ${msg}`, [
    {
      loc: ["body", "file", file, ...(issue?.path ?? []).map((p) => (typeof p === "number" ? p : String(p)))],
      msg,
      type: "value_error",
    },
  ]);
}

function readJson<S extends z.ZodMiniType>(files: Map<string, Buffer>, name: string, schema: S): z.output<S> {
  const body = files.get(name);
  if (!body) throw unreadable(`the backup has no ${name}`);
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw unreadable(`${name} is not JSON`);
  }
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) throw invalidRecord(name, parsed.error);
  return parsed.data;
}

/** Re-addresses an area's refusal (`body.x`) to the record it came from. */
async function within<T>(where: string, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Invalid) {
      const msg = e.message.replace(/^body\.?/, "");
      throw new Invalid(
        `file: ${where}: ${msg}`,
        e.issues?.map((i) => ({ ...i, loc: ["body", "file", where, ...i.loc.slice(1)] })),
      );
    }
    if (e instanceof AppError && e.statusCode === 413) throw new Invalid(`file: ${where}: ${e.message}`);
    throw e;
  }
}

export interface OpenedBackup {
  backupId: string;
  created: string;
  files: Map<string, Buffer>;
  components: Component[];
  checksum: string;
  checksumVerified: boolean;
  encrypted: boolean;
}

/**
 * Opens an uploaded backup for `tenantId`: decrypts a sealed one (a plain tar.gz is read as it
 * is), checks the manifest names this tenant, every file's size and SHA-256, and — when this
 * tenant still has the backup's record — the whole file's checksum against the stored one.
 */
export async function openBackup(
  tenantId: string,
  file: Buffer,
  password: string | undefined,
  recordOf: (backupId: string) => Promise<BackupRecord | undefined>,
): Promise<OpenedBackup> {
  const checksum = `sha256:${createHash("sha256").update(file).digest("hex")}`;
  let archive: Buffer;
  if (isSealed(file)) archive = (await open(tenantId, file, password)).archive;
  else if (file.subarray(0, 2).equals(GZIP_MAGIC)) archive = file;
  else throw unreadable("not a Warden backup (neither a sealed backup nor a .tar.gz)");
  const files = await unpackArchive(archive);
  const manifest = readJson(files, MANIFEST, ManifestFile);
  if (manifest.tenant_id !== tenantId) throw unreadable("this backup belongs to another organization");
  for (const f of manifest.files) {
    const body = files.get(f.name);
    if (!body) throw unreadable(`${f.name} is missing from the archive`);
    if (body.length !== f.size || createHash("sha256").update(body).digest("hex") !== f.sha256) {
      throw unreadable(`${f.name} does not match the manifest's checksum: the backup was modified`);
    }
  }
  const listed = new Set([MANIFEST, ...manifest.files.map((f) => f.name)]);
  const extra = [...files.keys()].find((n) => !listed.has(n));
  if (extra) throw unreadable(`${extra} is not in the manifest: the backup was modified`);
  const record = await recordOf(manifest.backup_id);
  if (record && record.checksum !== checksum) {
    throw unreadable(`the file's checksum is not the one recorded for ${manifest.backup_id}: the backup was modified`);
  }
  const components = manifest.components.filter((c): c is Component => c in FILES);
  return {
    backupId: manifest.backup_id,
    created: manifest.created,
    files,
    components,
    checksum,
    checksumVerified: record !== undefined,
    encrypted: isSealed(file),
  };
}

type ComponentReport = RestoreReport["components"][number];

/** What the components a restore is about to write hold now (read after validation, before any write). */
interface CurrentState {
  authentication?: z.output<typeof AuthenticationFile>;
  settings?: { retentionDays: number; tokenTtl: number | null };
  firewall?: { tenant: FirewallScopeDoc; gateways: Map<number, FirewallScopeDoc> };
  ssh?: { tenant: SshScopeDoc; gateways: Map<number, SshScopeDoc> };
}

async function currentState(tenantId: string, plan: Plan): Promise<CurrentState> {
  const out: CurrentState = {};
  // The policy in the backup file's own shape (collect.ts writes getAuthPolicy's answer as it is).
  if (plan.authentication) {
    out.authentication = AuthenticationFile.parse(JSON.parse(JSON.stringify(await getAuthPolicy(tenantId, true))));
  }
  if (plan.settings) {
    const [audit, tokenTtl] = await Promise.all([getAuditSettings(tenantId), chosenTokenTtl(tenantId)]);
    out.settings = { retentionDays: audit.retentionDays, tokenTtl };
  }
  if (plan.firewall) out.firewall = await firewallDocuments(tenantId);
  if (plan.ssh) out.ssh = await sshDocuments(tenantId);
  return out;
}

/** Runs before the first write of a restore; tests make a concurrent change here (the default does nothing). */
export type RestoreWriteHook = (components: readonly Component[]) => Promise<void>;
let writeHook: RestoreWriteHook = async () => {};
export function useRestoreWriteHook(hook: RestoreWriteHook | undefined): void {
  writeHook = hook ?? (async () => {});
}

/**
 * A restore that failed while writing and was put back: 409 when a concurrent change or a check
 * refused a write (run it again), 503 when the platform failed. `complete` is false when some
 * write could not be put back (the report names it).
 */
export class RestoreUndone extends AppError {
  constructor(
    message: string,
    cause: unknown,
    readonly complete: boolean,
    readonly components: ComponentReport[],
    readonly errors: string[],
  ) {
    const conflict = cause instanceof AppError && cause.statusCode < 500;
    super(conflict ? 409 : 503, conflict ? "CONFLICT" : "SERVICE_UNAVAILABLE", message);
  }
}

/** Puts back every write done (newest first) and answers the error to throw. */
async function rollBack(
  cause: unknown,
  failedAt: Component | undefined,
  undo: { component: Component; run: () => Promise<unknown> }[],
  reports: Map<Component, ComponentReport>,
): Promise<RestoreUndone> {
  const why = cause instanceof Error ? cause.message : String(cause);
  const notPutBack = new Set<Component>();
  const errors = [`writing ${failedAt ?? "the backup"} failed: ${why}`];
  for (const step of [...undo].reverse()) {
    try {
      await step.run();
    } catch (e) {
      notPutBack.add(step.component);
      errors.push(`could not put ${step.component} back: ${e instanceof Error ? e.message : String(e)}`);
      log.error("restore roll-back failed", { component: step.component, error: e });
    }
  }
  const undone = new Set(undo.map((u) => u.component));
  for (const r of reports.values()) {
    const c = r.component as Component;
    if (r.outcome !== "restored") continue;
    if (c === failedAt) r.notes.push(`failed: ${why}`);
    if (notPutBack.has(c)) {
      r.notes.push("written, and could not be put back (see errors)");
    } else if (undone.has(c)) {
      r.outcome = "rolled_back";
      r.notes.push("put back as it was before the restore");
      r.written = 0;
    } else if (r.written > 0) {
      // Roles and API keys created before a later failure (no area deletes them).
      r.notes.push(`${r.written} created before the failure and kept: a restore never deletes ${c.replace("_", " ")}`);
    } else {
      r.outcome = "not_written";
    }
  }
  const complete = notPutBack.size === 0;
  const message = complete
    ? `The restore was undone: writing ${failedAt ?? "the backup"} failed (${why}); everything written before it was put back. Run the restore again.`
    : `The restore failed while writing ${failedAt ?? "the backup"} (${why}) and ${[...notPutBack].join(", ")} could not be put back: see the restore report.`;
  return new RestoreUndone(message, cause, complete, [...reports.values()], errors);
}

interface Plan {
  roles?: RoleRestorePlan;
  users?: {
    userId: number;
    username: string;
    input: Parameters<typeof updateUser>[1];
    /** The same fields as they are now (what a roll-back writes back). */
    previous: Parameters<typeof updateUser>[1];
  }[];
  apiKeys?: ApiKeyRestorePlan;
  authentication?: z.output<typeof AuthenticationFile>;
  firewall?: { scope: "tenant" | number; doc: FirewallScopeDoc }[];
  ssh?: { scope: "tenant" | number; doc: SshScopeDoc }[];
  settings?: z.output<typeof SettingsFile>;
}

export interface RestoreOutcome {
  restored: Component[];
  skipped: Component[];
  usersRestored: number;
  rulesRestored: number;
  restartRequired: boolean;
  components: ComponentReport[];
}

/**
 * Validates the chosen components of an opened backup and writes them (see the file comment).
 * `wanted`: the components asked for; those the backup does not hold, or that are never
 * restored, are reported as skipped.
 */
export async function restoreBackup(caller: Principal, opened: OpenedBackup, wanted: readonly Component[]) {
  const tenantId = caller.tenantId;
  const by = caller.username;
  const reports = new Map<Component, ComponentReport>();
  const note = (c: Component, outcome: ComponentReport["outcome"], records: number, notes: string[] = []) =>
    reports.set(c, { component: c, outcome, records, written: 0, notes });
  const chosen: Component[] = [];
  for (const c of wanted) {
    const never = NOT_RESTORABLE[c];
    if (!opened.components.includes(c)) note(c, "skipped", 0, ["not in this backup"]);
    else if (never) note(c, "skipped", 0, [never]);
    else chosen.push(c);
  }

  // 1. Validate everything; nothing is written until every chosen component passed.
  const plan: Plan = {};
  const files = opened.files;
  const fleet = chosen.some((c) => c === "firewall_rules" || c === "ssh") ? await listFleet(tenantId) : [];
  const liveGateways = new Set(fleet.map((g) => g.gateway.id));
  let plannedRoles = new Set<string>();
  let usersMatched = 0;
  if (chosen.includes("roles")) {
    const roles = readJson(files, FILES.roles, z.array(RoleRecord).check(z.maxLength(1000)));
    plan.roles = await within(FILES.roles, () =>
      planRoleRestore(
        caller,
        roles.map((r) => ({ ...r, description: r.description ?? "" })),
        FILES.roles,
      ),
    );
    plannedRoles = new Set(plan.roles.create.map((r) => r.name));
    note(
      "roles",
      "restored",
      roles.length,
      plan.roles.skipped.map((s) => `role '${s.name}': ${s.reason}`),
    );
  }
  if (chosen.includes("users")) {
    const users = readJson(files, FILES.users, z.array(UserRecord).check(z.maxLength(100_000)));
    const roles = new Set([...(await knownRoleIds(tenantId)), ...plannedRoles]);
    const current = new Map(
      (await listUserSummaries(tenantId, { limit: 100_000 })).users.map((s) => [s.user.id, s.user]),
    );
    const notes: string[] = [];
    plan.users = [];
    let matched = 0;
    for (const [i, u] of users.entries()) {
      if (!roles.has(u.role)) {
        throw new Invalid(`file: ${FILES.users}.${i}.role: unknown role '${u.role}'`, [
          { loc: ["body", "file", FILES.users, i, "role"], msg: `unknown role '${u.role}'`, type: "value_error" },
        ]);
      }
      const have = current.get(u.id);
      if (!have || have.username !== u.username) {
        notes.push(`user '${u.username}': no such account now; accounts are not recreated from a backup`);
        continue;
      }
      matched += 1;
      const input: Parameters<typeof updateUser>[1] = { userId: u.id };
      const previous: Parameters<typeof updateUser>[1] = { userId: u.id };
      if (have.fullName !== u.full_name) [input.fullName, previous.fullName] = [u.full_name, have.fullName];
      if (have.email !== u.email) [input.email, previous.email] = [u.email, have.email];
      if (have.role !== u.role) [input.role, previous.role] = [u.role, have.role];
      if (u.status !== "locked" && have.status !== "locked" && have.status !== u.status) {
        [input.status, previous.status] = [u.status, have.status === "inactive" ? "inactive" : "active"];
      }
      if (Object.keys(input).length > 1) plan.users.push({ userId: u.id, username: u.username, input, previous });
    }
    note("users", "restored", users.length, notes);
    usersMatched = matched;
  }
  if (chosen.includes("api_keys")) {
    const keys = readJson(files, FILES.api_keys, z.array(ApiKeyRecordSchema).check(z.maxLength(10_000)));
    plan.apiKeys = await within(FILES.api_keys, () =>
      planApiKeyRestore(
        caller,
        keys.map((k) => ({ ...k })),
        FILES.api_keys,
      ),
    );
    note(
      "api_keys",
      "restored",
      keys.length,
      plan.apiKeys.skipped.filter((s) => s.reason !== "present").map((s) => `key ${s.id} '${s.name}': ${s.reason}`),
    );
  }
  if (chosen.includes("authentication")) {
    const policy = readJson(files, FILES.authentication, AuthenticationFile);
    // Roles the policy enforces 2FA for may be among those this restore creates.
    const missing = (policy.two_factor?.enforced_for_roles ?? []).filter((r) => !plannedRoles.has(r));
    await within(FILES.authentication, () =>
      checkAuthSettings(tenantId, {
        ...policy,
        ...(policy.two_factor ? { two_factor: { ...policy.two_factor, enforced_for_roles: missing } } : {}),
      }),
    );
    plan.authentication = policy;
    note("authentication", "restored", 1);
  }
  if (chosen.includes("firewall_rules")) {
    const fw = readJson(files, FILES.firewall_rules, FirewallFile);
    const notes: string[] = [];
    plan.firewall = [];
    for (const [scope, doc] of [["tenant", fw.tenant], ...Object.entries(fw.gateways)] as const) {
      const id = scope === "tenant" ? "tenant" : Number(scope);
      if (id !== "tenant" && !liveGateways.has(id)) {
        notes.push(`overrides of gateway ${id}: the gateway no longer exists`);
        continue;
      }
      const stored = doc as FirewallScopeDoc;
      await within(`${FILES.firewall_rules}.${scope === "tenant" ? "tenant" : `gateways.${scope}`}`, () =>
        checkFirewallScope(stored),
      );
      plan.firewall.push({ scope: id, doc: stored });
    }
    note("firewall_rules", "restored", fw.tenant.rules.length, notes);
  }
  if (chosen.includes("ssh")) {
    const ssh = readJson(files, "ssh_keys/ssh.json", SshFile);
    const notes: string[] = [];
    plan.ssh = [];
    for (const [scope, doc] of [["tenant", ssh.tenant], ...Object.entries(ssh.gateways)] as const) {
      const id = scope === "tenant" ? "tenant" : Number(scope);
      if (id !== "tenant" && !liveGateways.has(id)) {
        notes.push(`overrides of gateway ${id}: the gateway no longer exists`);
        continue;
      }
      const stored: SshScopeDoc = { ...(doc as Omit<SshScopeDoc, "terminate_sessions">), terminate_sessions: [] };
      const where = `ssh_keys/ssh.json.${scope === "tenant" ? "tenant" : `gateways.${scope}`}`;
      await within(where, () => checkSshScope(stored, "keys"));
      plan.ssh.push({ scope: id, doc: stored });
    }
    note("ssh", "restored", ssh.tenant.keys.length, notes);
  }
  if (chosen.includes("settings")) {
    plan.settings = readJson(files, FILES.settings, SettingsFile);
    note("settings", "restored", 2);
  }

  // 2. Write, component by component, keeping how to put each write back (see the file comment).
  const written = (c: Component, n: number) => {
    const r = reports.get(c);
    if (r) r.written = n;
  };
  const before = await currentState(tenantId, plan);
  const undo: { component: Component; run: () => Promise<unknown> }[] = [];
  let restartRequired = false;
  let writing: Component | undefined;
  try {
    await writeHook(chosen);
    if (plan.authentication) {
      writing = "authentication";
      const r = await updateAuthSettings(tenantId, plan.authentication);
      const previous = before.authentication;
      if (previous) undo.push({ component: "authentication", run: () => updateAuthSettings(tenantId, previous) });
      written("authentication", Object.keys(r.changes).length);
    }
    if (plan.settings) {
      writing = "settings";
      const previous = before.settings;
      const changed = await setAuditRetention(tenantId, plan.settings.audit.retention_days);
      if (previous)
        undo.push({ component: "settings", run: () => setAuditRetention(tenantId, previous.retentionDays) });
      const tokens = await updateTokenSettings(tenantId, {
        accessTokenTtlSeconds: plan.settings.tokens.access_token_ttl_seconds,
      });
      if (previous) {
        undo.push({
          component: "settings",
          run: () => updateTokenSettings(tenantId, { accessTokenTtlSeconds: previous.tokenTtl }),
        });
      }
      written("settings", (changed ? 1 : 0) + Object.keys(tokens.changes).length);
    }
    if (plan.firewall) {
      writing = "firewall_rules";
      for (const s of plan.firewall) {
        const target = { tenantId, by, ...(s.scope === "tenant" ? {} : { gatewayId: s.scope }) };
        const r = await replaceFirewallScope(target, s.doc);
        const previous =
          (s.scope === "tenant" ? before.firewall?.tenant : before.firewall?.gateways.get(s.scope)) ??
          emptyFirewallScope();
        undo.push({ component: "firewall_rules", run: () => replaceFirewallScope(target, previous) });
        restartRequired ||= r.requires_reload;
      }
      written(
        "firewall_rules",
        plan.firewall.reduce((n, s) => n + s.doc.rules.length, 0),
      );
    }
    if (plan.ssh) {
      writing = "ssh";
      for (const s of plan.ssh) {
        const target = { tenantId, by, ...(s.scope === "tenant" ? {} : { gatewayId: s.scope }) };
        await replaceSshScope(target, s.doc);
        const previous =
          (s.scope === "tenant" ? before.ssh?.tenant : before.ssh?.gateways.get(s.scope)) ?? emptySshScope();
        undo.push({ component: "ssh", run: () => replaceSshScope(target, { ...previous, terminate_sessions: [] }) });
      }
      restartRequired = true;
      written(
        "ssh",
        plan.ssh.reduce((n, s) => n + s.doc.keys.length, 0),
      );
    }
    // Only ever created, never changed (and never deleted: no area function deletes them), so last.
    if (plan.roles) {
      writing = "roles";
      written("roles", await applyRoleRestore(caller, plan.roles));
    }
    if (plan.users) {
      writing = "users";
      for (const u of plan.users) {
        await updateUser(caller, u.input);
        undo.push({ component: "users", run: () => updateUser(caller, u.previous) });
      }
      written("users", plan.users.length);
    }
    if (plan.apiKeys) {
      writing = "api_keys";
      written("api_keys", await applyApiKeyRestore(plan.apiKeys));
    }
  } catch (e) {
    throw await rollBack(e, writing, undo, reports);
  }
  const components = wanted.map((c) => reports.get(c)).filter((r): r is ComponentReport => r !== undefined);
  return {
    restored: chosen,
    skipped: wanted.filter((c) => !chosen.includes(c)),
    usersRestored: usersMatched,
    rulesRestored: plan.firewall ? (reports.get("firewall_rules")?.written ?? 0) : 0,
    restartRequired,
    components,
  } satisfies RestoreOutcome;
}
