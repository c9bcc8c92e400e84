/**
 * SSH access to a tenant's gateways: sshd settings, public keys per login, and ending SSH
 * sessions. Settings and keys are the `ssh` area (versioned scopes, see shadow-sync.ts) and reach
 * each gateway through its `ssh` shadow; SSH sessions and counters come from the events the
 * gateways publish (ingest.ts), read in ssh-sessions.ts.
 *
 * `login_method` and `password_authentication` say the same thing twice, so they must agree:
 * key ⇔ password_authentication false; password or both ⇔ true. A request that sets one of them
 * gets the other derived; a request that sets both inconsistently is a 400.
 *
 * Terminating an SSH session is a per-gateway change: its id goes into the `terminate_sessions`
 * of that gateway's ssh shadow (the edge kills it and publishes the SSH session's end), and the
 * request is recorded on the SSH session.
 */
import { type SshDesired, SshDesiredSchema } from "#edge/contract.ts";
import type { ScopeId } from "#shared/fleet/db/fleet-config.ts";
import {
  DEFAULT_SSH_SETTINGS,
  parseSshDoc,
  type SshScopeDoc,
  type SshSettings,
  type SshSettingsPatch,
  type StoredSshKey,
  type TerminateRequest,
} from "#shared/fleet/db/ssh.ts";
import { Conflict, Invalid, NotFound } from "#shared/kit/errors.ts";
import { type AreaSpec, assertContract, assertFits, changeArea, loadSnapshot, requireGateway } from "./shadow-sync.ts";
import { cleanComment, parsePublicKey } from "./ssh-keys.ts";
import {
  countActiveSshSessions,
  findSshSession,
  markSshTerminationRequested,
  type SshCounters,
  type SshSession,
  sshStatsToday,
} from "./ssh-sessions.ts";

/** Terminations stay in the shadow this long: enough for an offline gateway to come back and act. */
const TERMINATE_TTL_MS = 24 * 3600_000;

export interface EffectiveSsh {
  settings: SshSettings;
  keys: StoredSshKey[];
  terminate_sessions: TerminateRequest[];
}

export function sshSettingsOf(tenant: SshScopeDoc, overlay: SshScopeDoc | undefined): SshSettings {
  return { ...DEFAULT_SSH_SETTINGS, ...tenant.settings, ...overlay?.settings };
}

export function effectiveSsh(tenant: SshScopeDoc, overlay: SshScopeDoc | undefined, now = new Date()): EffectiveSsh {
  const keys = new Map<string, StoredSshKey>();
  for (const k of [...tenant.keys, ...(overlay?.keys ?? [])]) keys.set(`${k.username}|${k.fingerprint}`, k);
  const fresh = (t: TerminateRequest) => now.getTime() - Date.parse(t.requested_at) < TERMINATE_TTL_MS;
  return {
    settings: sshSettingsOf(tenant, overlay),
    keys: [...keys.values()],
    terminate_sessions: [...tenant.terminate_sessions, ...(overlay?.terminate_sessions ?? [])].filter(fresh),
  };
}

/**
 * The `ssh` shadow's desired document (edge contract `SshDesiredSchema`): sshd settings, one
 * authorized_keys line per key with its fingerprint (the edge checks it), and the SSH sessions to
 * end. Root login is never permitted. `restricted_shell` and `allowed_directories` have no place in
 * the contract yet: the allowed commands are sent only while the restricted shell is on.
 */
export function renderSshDesired(e: EffectiveSsh, configVersion: number): SshDesired {
  const s = e.settings;
  return {
    config_version: configVersion,
    enabled: s.enabled,
    port: s.port,
    listen_address: s.listen_address,
    login_method: s.login_method,
    password_authentication: s.password_authentication,
    permit_root_login: false,
    max_auth_attempts: s.max_auth_attempts,
    max_sessions: s.max_sessions_per_user,
    session_timeout_minutes: s.session_timeout,
    banner_enabled: s.banner_enabled,
    banner_message: s.banner_message,
    authorized_keys: e.keys.map((k) => ({
      username: k.username,
      key: `${k.algorithm} ${k.blob}${k.comment ? ` ${k.comment}` : ""}`,
      fingerprint: k.fingerprint,
    })),
    ...(s.restricted_shell ? { allowed_commands: s.allowed_commands } : {}),
    require_tty: s.require_tty,
    compression: s.compression,
    terminate_sessions: e.terminate_sessions.map((t) => ({ session_id: t.session_id, requested_at: t.requested_at })),
  };
}

export const sshSpec: AreaSpec<SshScopeDoc, EffectiveSsh> = {
  area: "ssh",
  parse: parseSshDoc,
  merge: effectiveSsh,
  render: (effective, configVersion) => renderSshDesired(effective, configVersion),
  contract: SshDesiredSchema,
};

export interface SshTarget {
  tenantId: string;
  gatewayId?: number;
  by: string;
}

const scopeOf = (t: SshTarget): ScopeId => t.gatewayId ?? "tenant";

const fieldError = (field: string, msg: string) =>
  new Invalid(`body.${field}: ${msg}`, [{ loc: ["body", field], msg, type: "value_error" }]);

// ---------------------------------------------------------------------------------------------
// Settings

/** sshd must rebind its socket (or start/stop) for these; the rest apply on a reload. */
const RESTART_FIELDS = new Set<keyof SshSettings>(["enabled", "port", "listen_address"]);

/** Makes login_method and password_authentication agree, or names the field that contradicts. */
export function reconcileLoginMethod(before: SshSettings, patch: SshSettingsPatch): SshSettingsPatch {
  const out = { ...patch };
  if (patch.login_method !== undefined && patch.password_authentication !== undefined) {
    if ((patch.login_method !== "key") !== patch.password_authentication) {
      throw fieldError(
        "password_authentication",
        `must be ${patch.login_method !== "key"} when login_method is '${patch.login_method}'`,
      );
    }
  } else if (patch.login_method !== undefined) {
    out.password_authentication = patch.login_method !== "key";
  } else if (patch.password_authentication !== undefined) {
    out.login_method = patch.password_authentication
      ? before.login_method === "key"
        ? "both"
        : before.login_method
      : "key";
  }
  return out;
}

export async function updateSshSettings(target: SshTarget, patch: SshSettingsPatch) {
  const outcome = await changeArea(
    sshSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by },
    (doc, snap) => {
      const tenantDoc = target.gatewayId === undefined ? doc : snap.tenantDoc;
      const overlay = target.gatewayId === undefined ? undefined : doc;
      const before = sshSettingsOf(tenantDoc, overlay);
      const reconciled = reconcileLoginMethod(before, patch);
      const next: SshScopeDoc = { ...doc, settings: { ...doc.settings, ...reconciled } };
      const after = sshSettingsOf(
        target.gatewayId === undefined ? next : snap.tenantDoc,
        target.gatewayId === undefined ? undefined : next,
      );
      const changes: Record<string, { old: unknown; new: unknown }> = {};
      for (const key of Object.keys(after) as (keyof SshSettings)[]) {
        if (JSON.stringify(after[key]) !== JSON.stringify(before[key]))
          changes[key] = { old: before[key], new: after[key] };
      }
      return { next, result: changes };
    },
  );
  const changes = outcome.result;
  return {
    changes,
    restart_required: Object.keys(changes).some((k) => RESTART_FIELDS.has(k as keyof SshSettings)),
    requires_reload: outcome.deviceChanged,
    config_version: outcome.configVersion,
    sync: outcome.sync,
  };
}

/** The sshd settings in effect (the contract's fields, at the top), the keys, and today's counters. */
export type SshSettingsReport = SshSettings & { keys: StoredSshKey[]; stats: SshCounters; configVersion: number };

export async function getSshSettings(tenantId: string, gatewayId?: number): Promise<SshSettingsReport> {
  const now = new Date();
  const [snap, stats] = await Promise.all([loadSnapshot(sshSpec, tenantId), sshStatsToday(tenantId, now, gatewayId)]);
  if (gatewayId !== undefined) requireGateway(snap.gateways, gatewayId, ["query", "gateway_id"]);
  const view = effectiveSsh(snap.tenantDoc, gatewayId === undefined ? undefined : snap.overlays.get(gatewayId), now);
  return {
    ...view.settings,
    keys: view.keys,
    stats,
    configVersion: gatewayId === undefined ? snap.state.version : snap.versionOf(gatewayId),
  };
}

// ---------------------------------------------------------------------------------------------
// Keys

export async function uploadKey(target: SshTarget, input: { keyText: string; username: string; comment?: string }) {
  const key = parsePublicKey(input.keyText, "file");
  const now = new Date();
  const stored: StoredSshKey = {
    username: input.username,
    fingerprint: key.fingerprint,
    algorithm: key.algorithm,
    blob: key.blob,
    type: key.type,
    size: key.size,
    comment: cleanComment(input.comment ?? key.comment),
    added: now.toISOString(),
    added_by: target.by,
  };
  const outcome = await changeArea(
    sshSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by, now },
    (doc, snap) => {
      const tenantDoc = target.gatewayId === undefined ? doc : snap.tenantDoc;
      const overlay = target.gatewayId === undefined ? undefined : doc;
      const clash = effectiveSsh(tenantDoc, overlay, now).keys.find((k) => k.fingerprint === key.fingerprint);
      if (clash) {
        throw new Conflict(
          `file: a key with fingerprint ${key.fingerprint} is already installed (for user '${clash.username}')`,
        );
      }
      return { next: { ...doc, keys: [...doc.keys, stored] }, result: stored };
    },
  );
  return { key: outcome.result, config_version: outcome.configVersion, sync: outcome.sync };
}

export async function removeKey(target: SshTarget, input: { fingerprint: string; username: string }) {
  const outcome = await changeArea(
    sshSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by },
    (doc) => {
      const found = doc.keys.find((k) => k.fingerprint === input.fingerprint && k.username === input.username);
      if (!found) {
        throw new NotFound(`body.fingerprint: no key ${input.fingerprint} for user '${input.username}'`);
      }
      return { next: { ...doc, keys: doc.keys.filter((k) => k !== found) }, result: found };
    },
  );
  return { key: outcome.result, config_version: outcome.configVersion, sync: outcome.sync };
}

// ---------------------------------------------------------------------------------------------
// SSH sessions

export interface TerminatedSshSession {
  sshSession: SshSession;
  /** What the gateway's ssh shadow now asks for. */
  requested: TerminateRequest;
  configVersion: number;
  /** How long the SSH session had been running when its end was asked for. */
  durationMs: number;
}

export async function terminateSshSession(
  target: Omit<SshTarget, "gatewayId">,
  input: { sshSessionId: string; reason?: string; notifyUser: boolean },
): Promise<TerminatedSshSession> {
  const now = new Date();
  const sshSession = await findSshSession(target.tenantId, input.sshSessionId);
  if (!sshSession) throw new NotFound(`body.session_id: no session '${input.sshSessionId}'`);
  if (sshSession.ended)
    throw new Conflict(`body.session_id: session '${input.sshSessionId}' already ended at ${sshSession.ended}`);
  const requested: TerminateRequest = {
    session_id: sshSession.deviceSessionId,
    reason: input.reason ?? "",
    notify_user: input.notifyUser,
    requested_at: now.toISOString(),
    requested_by: target.by,
  };
  const outcome = await changeArea(
    sshSpec,
    { tenantId: target.tenantId, scope: sshSession.gatewayId, by: target.by, now },
    (doc) => {
      const fresh = doc.terminate_sessions.filter((t) => now.getTime() - Date.parse(t.requested_at) < TERMINATE_TTL_MS);
      if (fresh.some((t) => t.session_id === sshSession.deviceSessionId)) {
        throw new Conflict(`body.session_id: termination of '${sshSession.id}' was already requested`);
      }
      return { next: { ...doc, terminate_sessions: [...fresh, requested] }, result: requested };
    },
  );
  await markSshTerminationRequested(target.tenantId, sshSession, {
    reason: requested.reason,
    requestedAt: requested.requested_at,
    requestedBy: requested.requested_by,
    notifyUser: requested.notify_user,
  });
  return {
    sshSession,
    requested,
    configVersion: outcome.configVersion,
    durationMs: now.getTime() - Date.parse(sshSession.started),
  };
}

/** For the status route: is SSH on, are passwords allowed, how many SSH sessions are active (tenant-wide). */
export async function sshSummary(
  tenantId: string,
): Promise<{ enabled: boolean; password_authentication: boolean; active_sessions: number }> {
  const [snap, active] = await Promise.all([loadSnapshot(sshSpec, tenantId, []), countActiveSshSessions(tenantId)]);
  const settings = sshSettingsOf(snap.tenantDoc, undefined);
  return {
    enabled: settings.enabled,
    password_authentication: settings.password_authentication,
    active_sessions: active,
  };
}

// ---------------------------------------------------------------------------------------------
// Whole documents (restore from a backup, reset to defaults)

/**
 * Checks a whole scope document as `replaceSshScope` would save it, without saving: each key
 * parses as the public key it claims to be (same fingerprint), login method and password
 * authentication agree, and the rendered document fits the gateway contract and the shadow
 * budget. Field-level checks are the request schemas' and happen before this.
 */
export function checkSshScope(doc: SshScopeDoc, field = "ssh"): void {
  doc.keys.forEach((k, i) => {
    const parsed = parsePublicKey(`${k.algorithm} ${k.blob}`, `${field}.keys.${i}`);
    if (parsed.fingerprint !== k.fingerprint) {
      throw fieldError(`${field}.keys.${i}.fingerprint`, `is not the key's fingerprint (${parsed.fingerprint})`);
    }
  });
  const settings = sshSettingsOf(doc, undefined);
  reconcileLoginMethod(settings, {
    login_method: settings.login_method,
    password_authentication: settings.password_authentication,
  });
  const rendered = renderSshDesired(effectiveSsh(doc, undefined), 0);
  assertContract(sshSpec, rendered);
  assertFits("ssh", rendered, "the tenant's gateways");
}

/** Replaces one scope's whole document and pushes it; `doc` must have passed `checkSshScope`. */
export async function replaceSshScope(target: SshTarget, doc: SshScopeDoc) {
  const outcome = await changeArea(
    sshSpec,
    { tenantId: target.tenantId, scope: scopeOf(target), by: target.by },
    () => {
      checkSshScope(doc);
      return { next: doc, result: doc.keys.length };
    },
  );
  return { keys: outcome.result, config_version: outcome.configVersion, sync: outcome.sync };
}

export type { SshScopeDoc };

/** A scope document with nothing set: no keys, default settings (what a reset saves). */
export const emptySshScope = (): SshScopeDoc => parseSshDoc({});

/** The tenant-wide document and every live gateway's overrides, as stored (for a backup). */
export async function sshDocuments(
  tenantId: string,
): Promise<{ tenant: SshScopeDoc; gateways: Map<number, SshScopeDoc> }> {
  const snap = await loadSnapshot(sshSpec, tenantId);
  return { tenant: snap.tenantDoc, gateways: snap.overlays };
}
