/**
 * The edge's decision core: given a shadow's desired state, the reported state the shadow holds and
 * what this gateway last did, decide what to do. Pure — no clock, no files, no MQTT — so every rule
 * of the contract is a unit test away.
 *
 * Rules:
 * - a desired version the edge has not attempted yet is applied (firewall or ssh);
 * - a desired document that fails the contract is not applied: the last good config stays and a
 *   `failed` report names the version and the validator's error;
 * - a version already attempted is not retried (no apply loops on a bad config), but when the
 *   shadow's reported state disagrees with what the edge last reported, the report is sent again;
 * - ssh sessions listed in `terminate_sessions` that are active on this gateway are terminated;
 * - once the gateway runs the desired version, the edge clears `desired` in the same update as its
 *   report (conditioned on the shadow version it read), so the shadow holds no `delta` for a change
 *   that is applied: `desired` present means "not applied yet" (or failed: it stays). One exception:
 *   a firewall document with timed set elements stays, because the edge renders it again at its next
 *   start (see `refreshTimedFirewall`).
 */
import {
  describeIssues,
  type FirewallDesired,
  FirewallDesiredSchema,
  REPORTED_LIMITS,
  type ReportedState,
  ReportedStateSchema,
  type SettingsShadow,
  type SshDesired,
  SshDesiredSchema,
} from "./contract.ts";

export type EdgeAction =
  | { kind: "apply-firewall"; config: FirewallDesired; clearDesired: boolean }
  | { kind: "apply-ssh"; config: SshDesired; clearDesired: boolean }
  /** `clearDesired`: the same shadow update deletes `desired` (the version it asks for is applied). */
  | { kind: "report"; shadow: SettingsShadow; reported: ReportedState; clearDesired?: boolean }
  | { kind: "terminate-session"; sessionId: string; requestedAt: string };

export interface ReconcileContext {
  shadow: SettingsShadow;
  /** What this edge last reported for the shadow (persisted on the gateway); undefined on a fresh gateway. */
  local: ReportedState | undefined;
  /** Session ids of the SSH sessions active on this gateway. */
  activeSessions?: readonly string[];
  /**
   * The first firewall document since the edge started. An applied ruleset with timed set elements
   * is rendered again then: nftables restarts the file's element timeouts when it loads it at boot,
   * so an expired whitelist entry would otherwise live on until the next config change.
   */
  refreshTimedFirewall?: boolean;
  now: Date;
}

export function reconcile(desired: unknown, reported: unknown, ctx: ReconcileContext): EdgeAction[] {
  const { shadow, local } = ctx;
  if (desired === undefined || desired === null) return reReport(shadow, reported, local);

  const parsed = parseDesired(shadow, desired);
  if (!parsed.success) {
    const failedVersion = versionOf(desired);
    const error = `desired ${shadow} config is invalid: ${parsed.error}`;
    if (local && attemptedVersion(local) === failedVersion) return reReport(shadow, reported, local);
    return [{ kind: "report", shadow, reported: failedReport(local, failedVersion, error, ctx.now) }];
  }

  const { data } = parsed;
  const actions: EdgeAction[] = [];
  if (data.shadow === "ssh") {
    const active = new Set(ctx.activeSessions ?? []);
    for (const request of data.config.terminate_sessions ?? []) {
      if (active.has(request.session_id)) {
        actions.push({ kind: "terminate-session", sessionId: request.session_id, requestedAt: request.requested_at });
      }
    }
  }

  const refresh =
    data.shadow === "firewall" &&
    ctx.refreshTimedFirewall === true &&
    local?.status === "applied" &&
    [...data.config.whitelist, ...data.config.blacklist].some((e) => e.expires !== undefined);
  const clearDesired = !needsDesiredAgain(data);
  if (local && attemptedVersion(local) === data.config.config_version && !refresh) {
    if (clearDesired && local.status === "applied" && local.config_version === data.config.config_version) {
      // Applied before (e.g. the earlier clearing update lost a race): report again and clear.
      actions.push({ kind: "report", shadow, reported: local, clearDesired: true });
    } else {
      actions.push(...reReport(shadow, reported, local));
    }
  } else if (data.shadow === "firewall") {
    actions.push({ kind: "apply-firewall", config: data.config, clearDesired });
  } else {
    actions.push({ kind: "apply-ssh", config: data.config, clearDesired });
  }
  return actions;
}

/** A firewall document with timed set elements is rendered again at the edge's next start: it stays desired. */
function needsDesiredAgain(data: ParsedDesired): boolean {
  return (
    data.shadow === "firewall" &&
    [...data.config.whitelist, ...data.config.blacklist].some((e) => e.expires !== undefined)
  );
}

type ParsedDesired = { shadow: "firewall"; config: FirewallDesired } | { shadow: "ssh"; config: SshDesired };

function parseDesired(
  shadow: SettingsShadow,
  desired: unknown,
): { success: true; data: ParsedDesired } | { success: false; error: string } {
  if (shadow === "firewall") {
    const result = FirewallDesiredSchema.safeParse(desired);
    return result.success
      ? { success: true, data: { shadow, config: result.data } }
      : { success: false, error: describeIssues(result.error) };
  }
  const result = SshDesiredSchema.safeParse(desired);
  return result.success
    ? { success: true, data: { shadow, config: result.data } }
    : { success: false, error: describeIssues(result.error) };
}

/** The desired version an edge last tried: the applied one, or the one that failed. */
export function attemptedVersion(report: ReportedState): number | null {
  return report.status === "applied" ? report.config_version : (report.failed_version ?? null);
}

export type ApplyOutcome =
  | { ok: true; version: number; validation: string }
  | { ok: false; version: number; error: string; validation?: string };

/** The report after an apply attempt; a failure keeps config_version and applied_at of the last good one. */
export function reportAfterApply(outcome: ApplyOutcome, previous: ReportedState | undefined, now: Date): ReportedState {
  if (!outcome.ok) return failedReport(previous, outcome.version, outcome.error, now, outcome.validation);
  return {
    config_version: outcome.version,
    status: "applied",
    error: null,
    failed_version: null,
    applied_at: now.toISOString(),
    updated_at: now.toISOString(),
    validation: cut(outcome.validation, REPORTED_LIMITS.validationChars),
    ...(previous?.terminated_sessions && { terminated_sessions: previous.terminated_sessions }),
  };
}

export function reportAfterTermination(
  previous: ReportedState | undefined,
  sessionId: string,
  now: Date,
): ReportedState {
  const terminated = [...(previous?.terminated_sessions ?? []).filter((id) => id !== sessionId), sessionId].slice(
    -REPORTED_LIMITS.terminatedSessions,
  );
  return {
    ...(previous ?? { config_version: 0, status: "applied", error: null, failed_version: null, applied_at: null }),
    updated_at: now.toISOString(),
    terminated_sessions: terminated,
  };
}

/** Whether the shadow's reported section already says what `report` says (timestamps aside). */
export function reportedMatches(reported: unknown, report: ReportedState): boolean {
  const parsed = ReportedStateSchema.safeParse(reported);
  if (!parsed.success) return false;
  const have = parsed.data;
  return (
    have.config_version === report.config_version &&
    have.status === report.status &&
    (have.error ?? null) === (report.error ?? null) &&
    (have.failed_version ?? null) === (report.failed_version ?? null) &&
    sameList(have.terminated_sessions ?? [], report.terminated_sessions ?? [])
  );
}

function reReport(shadow: SettingsShadow, reported: unknown, local: ReportedState | undefined): EdgeAction[] {
  if (!local || reportedMatches(reported, local)) return [];
  return [{ kind: "report", shadow, reported: local }];
}

function failedReport(
  previous: ReportedState | undefined,
  failedVersion: number | null,
  error: string,
  now: Date,
  validation?: string,
): ReportedState {
  return {
    config_version: previous?.config_version ?? 0,
    status: "failed",
    error: cut(error, REPORTED_LIMITS.errorChars),
    failed_version: failedVersion,
    applied_at: previous?.applied_at ?? null,
    updated_at: now.toISOString(),
    validation: validation === undefined ? null : cut(validation, REPORTED_LIMITS.validationChars),
    ...(previous?.terminated_sessions && { terminated_sessions: previous.terminated_sessions }),
  };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function versionOf(desired: unknown): number | null {
  if (typeof desired !== "object" || desired === null || !("config_version" in desired)) return null;
  const version = desired.config_version;
  return typeof version === "number" && Number.isInteger(version) ? version : null;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
