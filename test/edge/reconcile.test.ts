import { describe, expect, it } from "vitest";
import { REPORTED_LIMITS, REPORTED_STATE_MAX_BYTES, type ReportedState } from "#edge/contract.ts";
import { reconcile, reportAfterApply, reportAfterTermination, reportedMatches } from "#edge/reconcile.ts";
import { firewallDesired, sshDesired } from "./fixtures/desired.ts";

const now = new Date("2025-03-15T10:00:00Z");

function applied(version: number, extra: Partial<ReportedState> = {}): ReportedState {
  return {
    config_version: version,
    status: "applied",
    error: null,
    failed_version: null,
    applied_at: "2025-03-15T09:00:00.000Z",
    updated_at: "2025-03-15T09:00:00.000Z",
    validation: "nft -c",
    ...extra,
  };
}

describe("reconcile: what to apply", () => {
  it("applies a desired firewall version the gateway has not attempted", () => {
    const desired = firewallDesired({ config_version: 2 });

    const actions = reconcile(desired, applied(1), { shadow: "firewall", local: applied(1), now });

    // The fixture has timed entries: the edge renders it again at its next start, so desired stays.
    expect(actions).toEqual([{ kind: "apply-firewall", config: desired, clearDesired: false }]);
  });

  it("renders an applied ruleset with timed entries again on the first document after a start (boot restarts nft timeouts)", () => {
    const timed = firewallDesired({ config_version: 3 });
    const untimed = firewallDesired({ config_version: 3, whitelist: [{ ip: "10.0.0.1" }], blacklist: [] });
    const local = applied(3);
    const first = { shadow: "firewall" as const, local, refreshTimedFirewall: true, now };

    expect(reconcile(timed, local, first)).toEqual([{ kind: "apply-firewall", config: timed, clearDesired: false }]);
    // Applied, nothing timed: desired is left over (a clearing update lost a race) and is cleared now.
    expect(reconcile(untimed, local, first)).toEqual([
      { kind: "report", shadow: "firewall", reported: local, clearDesired: true },
    ]);
    expect(reconcile(timed, local, { ...first, refreshTimedFirewall: false })).toEqual([]);
    const failed = applied(2, { status: "failed", failed_version: 3 });
    expect(reconcile(timed, failed, { ...first, local: failed })).toEqual([]);
  });

  it("applies the first ssh config on a fresh gateway", () => {
    const desired = sshDesired();

    const actions = reconcile(desired, undefined, { shadow: "ssh", local: undefined, now });

    expect(actions).toEqual([{ kind: "apply-ssh", config: desired, clearDesired: true }]);
  });

  it("does nothing when the desired version is applied and the shadow already says so", () => {
    const local = applied(3);

    const actions = reconcile(
      firewallDesired({ config_version: 3 }),
      { ...local, edge_version: "0.1.0" },
      {
        shadow: "firewall",
        local,
        now,
      },
    );

    expect(actions).toEqual([]);
  });

  it("reports again, without re-applying, when the shadow's reported state lost what the gateway applied", () => {
    const local = applied(3);

    const actions = reconcile(firewallDesired({ config_version: 3 }), applied(2), { shadow: "firewall", local, now });

    expect(actions).toEqual([{ kind: "report", shadow: "firewall", reported: local }]);
  });

  it("re-creates the reported state when the shadow has no desired state (e.g. it was deleted)", () => {
    const local = applied(4);

    expect(reconcile(undefined, undefined, { shadow: "ssh", local, now })).toEqual([
      { kind: "report", shadow: "ssh", reported: local },
    ]);
    expect(reconcile(undefined, undefined, { shadow: "ssh", local: undefined, now })).toEqual([]);
  });

  it("treats absent nullable fields in the shadow (null deletes keys) as matching nulls", () => {
    const local = applied(3);
    const { error: _e, failed_version: _f, ...asStoredByTheShadow } = local;

    expect(reportedMatches(asStoredByTheShadow, local)).toBe(true);
    expect(
      reconcile(firewallDesired({ config_version: 3 }), asStoredByTheShadow, { shadow: "firewall", local, now }),
    ).toEqual([]);
  });
});

describe("reconcile: invalid desired documents", () => {
  it("keeps the last good config and reports failed with the validator's error and the failed version", () => {
    const desired = { ...firewallDesired({ config_version: 5 }), default_policy: "MAYBE" };

    const actions = reconcile(desired, applied(4), { shadow: "firewall", local: applied(4), now });

    expect(actions).toHaveLength(1);
    const [action] = actions;
    expect(action).toMatchObject({
      kind: "report",
      shadow: "firewall",
      reported: { status: "failed", config_version: 4, failed_version: 5, applied_at: "2025-03-15T09:00:00.000Z" },
    });
    expect(action?.kind === "report" && action.reported.error).toMatch(
      /^desired firewall config is invalid: default_policy: /,
    );
  });

  it("names the offending field of a rule, e.g. a source that is not an address", () => {
    const desired = firewallDesired({ config_version: 6 });
    const rules = desired.rules.map((r) => (r.id === 1 ? { ...r, source: "999.1.1.1/33" } : r));

    const [action] = reconcile({ ...desired, rules }, undefined, { shadow: "firewall", local: undefined, now });

    expect(action?.kind === "report" && action.reported.error).toContain(
      "rules.0.source: must be an IPv4/IPv6 address or CIDR",
    );
  });

  it("does not report the same failed version twice once the shadow shows it", () => {
    const desired = { ...sshDesired({ config_version: 7 }), port: 0 };
    const [first] = reconcile(desired, undefined, { shadow: "ssh", local: applied(6), now });
    if (first?.kind !== "report") throw new Error("expected a report");

    const again = reconcile(desired, first.reported, { shadow: "ssh", local: first.reported, now });

    expect(again).toEqual([]);
  });
});

describe("reconcile: SSH sessions", () => {
  it("terminates requested sessions that are active here and ignores unknown ones", () => {
    const local = applied(2);
    const desired = sshDesired({
      config_version: 2,
      terminate_sessions: [
        { session_id: "ssh-100-1", requested_at: "2025-03-15T09:59:00Z" },
        { session_id: "ssh-elsewhere", requested_at: "2025-03-15T09:59:00Z" },
      ],
    });

    const actions = reconcile(desired, local, {
      shadow: "ssh",
      local,
      activeSessions: ["ssh-100-1", "ssh-200-2"],
      now,
    });

    expect(actions).toEqual([
      { kind: "terminate-session", sessionId: "ssh-100-1", requestedAt: "2025-03-15T09:59:00Z" },
      { kind: "report", shadow: "ssh", reported: local, clearDesired: true },
    ]);
  });

  it("records terminated sessions in the report, most recent last and bounded", () => {
    let report: ReportedState | undefined = applied(2);
    for (let i = 0; i < REPORTED_LIMITS.terminatedSessions + 3; i++)
      report = reportAfterTermination(report, `s-${i}`, now);

    expect(report?.terminated_sessions).toHaveLength(REPORTED_LIMITS.terminatedSessions);
    expect(report?.terminated_sessions?.at(-1)).toBe(`s-${REPORTED_LIMITS.terminatedSessions + 2}`);
    expect(report?.config_version).toBe(2);
  });
});

describe("reports after an apply", () => {
  it("an applied outcome clears the previous error and records the version and time", () => {
    const previous: ReportedState = { ...applied(1), status: "failed", error: "boom", failed_version: 2 };

    const report = reportAfterApply({ ok: true, version: 3, validation: "sshd -t" }, previous, now);

    expect(report).toMatchObject({ config_version: 3, status: "applied", error: null, failed_version: null });
    expect(report.applied_at).toBe(now.toISOString());
  });

  it("a failed outcome keeps config_version and applied_at of the last good config", () => {
    const report = reportAfterApply({ ok: false, version: 9, error: "nft -c rejected the ruleset" }, applied(8), now);

    expect(report).toMatchObject({
      config_version: 8,
      status: "failed",
      failed_version: 9,
      applied_at: "2025-03-15T09:00:00.000Z",
    });
  });

  it("stays within the reported budget even with a long tool error and many terminated sessions", () => {
    let previous: ReportedState | undefined = applied(123456);
    for (let i = 0; i < 20; i++) previous = reportAfterTermination(previous, `ssh-4194304-${1_800_000_000 + i}`, now);

    const report = reportAfterApply(
      { ok: false, version: 123457, error: "x".repeat(5000), validation: "y".repeat(500) },
      previous,
      now,
    );

    const size = Buffer.byteLength(JSON.stringify({ ...report, edge_version: "10.10.10" }));
    expect(size).toBeLessThanOrEqual(REPORTED_STATE_MAX_BYTES);
  });
});
