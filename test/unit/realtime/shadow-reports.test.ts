/**
 * Gateway-reported sync states: a shadow's `update/documents` (reported before and after) becomes at
 * most one `sync_state` event per change, for the tenant and gateway the thing name names.
 */
import { describe, expect, it } from "vitest";
import { thingNameOf } from "#shared/iot/policy.ts";
import {
  eventsOfShadowReport,
  gatewayOfThingName,
  type ShadowReportEvent,
  syncReportChanged,
} from "#shared/realtime/shadow-reports.ts";

const topic = (thing: string, shadow = "firewall") => `$aws/things/${thing}/shadow/name/${shadow}/update/documents`;
const THING = thingNameOf("acme-2", 7);
const applied = (v: number, extra: Record<string, unknown> = {}) => ({
  config_version: v,
  status: "applied",
  updated_at: "2026-11-30T09:00:00.000Z",
  ...extra,
});
const report = (previous: unknown, current: unknown, thing = THING, shadow = "firewall"): ShadowReportEvent => ({
  topic: topic(thing, shadow),
  previous,
  current,
  timestamp: 1_790_000_000,
});

describe("gatewayOfThingName", () => {
  it("reads tenant and gateway from current and legacy names, and nothing else", () => {
    expect(gatewayOfThingName(thingNameOf("acme-corp", 12))).toEqual({ tenantId: "acme-corp", gatewayId: 12 });
    expect(gatewayOfThingName("warden-acme-corp-12")).toEqual({ tenantId: "acme-corp", gatewayId: 12 });
    expect(gatewayOfThingName("warden_health-probe")).toBeUndefined();
    expect(gatewayOfThingName("warden_acme_x")).toBeUndefined();
    expect(gatewayOfThingName("warden_acme_b_3")).toBeUndefined();
    expect(gatewayOfThingName("other_acme_3")).toBeUndefined();
  });
});

describe("eventsOfShadowReport", () => {
  it("a newly applied version is one `applied` event with the fan-out's data keys and source gateway", () => {
    const events = eventsOfShadowReport(report(applied(3), applied(4)));
    expect(events).toEqual([
      {
        tenantId: "acme-2",
        stream: "events",
        type: "sync_state",
        severity: "info",
        timestamp: "2026-11-30T09:00:00.000Z",
        gatewayId: 7,
        data: {
          area: "firewall",
          status: "applied",
          config_version: 4,
          outcome: "applied",
          error: null,
          execution_id: null,
          source: "gateway",
        },
      },
    ]);
  });

  it("a report that changes no sync field (posture refresh) carries nothing", () => {
    const before = applied(4, { listening: ["tcp:22"] });
    const after = applied(4, { listening: ["tcp:22", "tcp:80"], updated_at: "2026-11-30T09:05:00.000Z" });
    expect(syncReportChanged(before, after)).toBe(false);
    expect(eventsOfShadowReport(report(before, after))).toEqual([]);
  });

  it("a first report of version 0 (nothing applied yet) is no `applied`", () => {
    expect(eventsOfShadowReport(report(undefined, applied(0)))).toEqual([]);
    expect(eventsOfShadowReport(report(undefined, applied(1)))).toHaveLength(1);
  });

  it("a failed apply is one `failed` event naming the version that failed and the validator's error", () => {
    const failed = { ...applied(4), status: "failed", failed_version: 5, error: "nft -c: syntax error" };
    expect(syncReportChanged(applied(4), failed)).toBe(true);
    const [e, ...rest] = eventsOfShadowReport(report(applied(4), failed, THING, "ssh"));
    expect(rest).toEqual([]);
    expect(e?.severity).toBe("high");
    expect(e?.data).toMatchObject({ area: "ssh", status: "failed", config_version: 5, error: "nft -c: syntax error" });
    // The same failure reported again is not a new event; a later failed version is.
    expect(eventsOfShadowReport(report(failed, { ...failed, updated_at: "2026-11-30T10:00:00Z" }))).toEqual([]);
    expect(eventsOfShadowReport(report(failed, { ...failed, failed_version: 6 }))[0]?.data).toMatchObject({
      status: "failed",
      config_version: 6,
    });
    // Recovery: the next version applies.
    expect(eventsOfShadowReport(report(failed, applied(6)))[0]?.data).toMatchObject({
      status: "applied",
      config_version: 6,
    });
  });

  it("drift appearing is one `drifted` event carrying its text; drift staying is none", () => {
    const drifted = applied(4, { drift: "firewall: warden.nft was changed on the gateway" });
    expect(syncReportChanged(applied(4), drifted)).toBe(true);
    const events = eventsOfShadowReport(report(applied(4), drifted));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ severity: "high", gatewayId: 7, tenantId: "acme-2" });
    expect(events[0]?.data).toMatchObject({
      status: "drifted",
      config_version: 4,
      error: "firewall: warden.nft was changed on the gateway",
      source: "gateway",
    });
    expect(eventsOfShadowReport(report(drifted, { ...drifted, listening: [] }))).toEqual([]);
    // A new version applied over the hand edit clears the drift: `applied`.
    expect(eventsOfShadowReport(report(drifted, applied(5)))[0]?.data).toMatchObject({ status: "applied" });
  });

  it("bounds the error text the device wrote to 500 characters", () => {
    const failed = { ...applied(4), status: "failed", failed_version: 5, error: "x".repeat(5000) };
    const [e] = eventsOfShadowReport(report(applied(4), failed));
    expect(e?.data.error).toBe("x".repeat(500));
  });

  it("ignores topics that are not a gateway's named shadow", () => {
    const e = (t: string) => eventsOfShadowReport({ topic: t, previous: applied(1), current: applied(2) });
    expect(e(topic("warden_health-probe"))).toEqual([]);
    expect(e(topic(THING, "secrets"))).toEqual([]);
    expect(e(`$aws/things/${THING}/shadow/update/documents`)).toEqual([]);
    expect(e(`warden/acme-2/${THING}/events`)).toEqual([]);
  });

  it("falls back to the shadow service's timestamp when the report has none", () => {
    const { updated_at: _u, ...bare } = applied(2);
    const [e] = eventsOfShadowReport(report(applied(1), bare));
    expect(e?.timestamp).toBe(new Date(1_790_000_000 * 1000).toISOString());
  });
});
