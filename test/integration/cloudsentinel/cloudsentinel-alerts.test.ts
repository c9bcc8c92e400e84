/**
 * Cloud alerts as people work them: open → acknowledged → resolved, reopened, suppressed only with
 * a reason and an expiry (an expired suppression reopens at the next scan that still finds the
 * problem), bulk changes that report what failed, and the reconciliation a scan does.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { reconcileAlerts } from "#shared/posture/alerts.ts";
import { loadDemoAccount } from "#shared/posture/demo-account.ts";
import { evaluate } from "#shared/posture/evaluate.ts";
import { storedFinding } from "#shared/posture/findings.ts";
import { AlertStatsView, AlertStatusView, BulkAlertView } from "#shared/posture/views.ts";
import { call, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const V1 = "/api/v1";
const DAY = 86_400_000;
const findings = evaluate(loadDemoAccount()).findings.map(storedFinding);
const everywhere = () => true;
const SCAN = { id: "scan-20260302-0000000A", provider: "aws", accountId: "123456789012" };

let t: Tenant;
let ids: number[];

beforeAll(async () => {
  t = await newTenant("cs-alerts");
  const out = await reconcileAlerts(t.tenantId, SCAN, findings, everywhere);
  ids = out.created.map((a) => a.id).sort((a, b) => a - b);
});

const patch = (id: number, body: unknown, token = t.token) =>
  call("PATCH", `${V1}/alerts/${id}/status`, { token, body });

describe("alert status", () => {
  it("moves open → acknowledged → resolved, recording who and when", async () => {
    const id = ids[0] as number;
    const ack = await patch(id, { status: "acknowledged", notes: "Investigating with security team" });
    expect(ack.status).toBe(200);
    expect(AlertStatusView.parse(ack.body)).toMatchObject({
      id,
      status: "acknowledged",
      acknowledged_by: t.userId,
      notes: "Investigating with security team",
    });
    expect(Date.parse(ack.body.acknowledged_at)).toBeGreaterThan(Date.now() - 60_000);
    const done = await patch(id, { status: "resolved" });
    expect(done.body).toMatchObject({ status: "resolved", resolved_by: t.userId });
    // Resolved is final for a person except reopening.
    expect((await patch(id, { status: "acknowledged" })).status).toBe(409);
    expect((await patch(id, { status: "open" })).body.status).toBe("open");
  });

  it("suppresses only with a reason and an expiry within a year", async () => {
    const id = ids[1] as number;
    const noExpiry = await patch(id, { status: "suppressed", reason: "accepted risk" });
    expect(noExpiry.status).toBe(422);
    expect(noExpiry.body.detail[0].loc).toEqual(["body", "expires_at"]);
    const noReason = await patch(id, { status: "suppressed", expires_at: new Date(Date.now() + DAY).toISOString() });
    expect(noReason.body.detail[0].loc).toEqual(["body", "reason"]);
    const past = await patch(id, {
      status: "suppressed",
      reason: "accepted",
      expires_at: new Date(Date.now() - DAY).toISOString(),
    });
    expect(past.status).toBe(422);
    const tooLong = await patch(id, {
      status: "suppressed",
      reason: "accepted",
      expires_at: new Date(Date.now() + 400 * DAY).toISOString(),
    });
    expect(tooLong.status).toBe(422);
    const reasonElsewhere = await patch(id, { status: "acknowledged", reason: "why" });
    expect(reasonElsewhere.body.detail[0].loc).toEqual(["body", "reason"]);
    const until = new Date(Date.now() + 30 * DAY).toISOString();
    const ok = await patch(id, { status: "suppressed", reason: "compensating control in place", expires_at: until });
    expect(ok.status).toBe(200);
    expect(ok.body.suppression).toEqual({ reason: "compensating control in place", expires_at: until });
  });

  it("keeps a suppressed alert muted on re-scan, and reopens it once its suppression expired", async () => {
    const id = ids[1] as number;
    const again = await reconcileAlerts(t.tenantId, { ...SCAN, id: "scan-20260303-0000000B" }, findings, everywhere);
    expect(again.created.map((a) => a.id)).not.toContain(id);
    const later = new Date(Date.now() + 31 * DAY);
    const after = await reconcileAlerts(
      t.tenantId,
      { ...SCAN, id: "scan-20260404-0000000C" },
      findings,
      everywhere,
      later,
    );
    expect(after.created.map((a) => a.id)).toContain(id);
    const list = await call("GET", `${V1}/alerts/`, { token: t.token, query: { status: "open", limit: "500" } });
    expect(list.body.items.find((a: any) => a.id === id)).toMatchObject({ status: "open", suppression: null });
  });

  it("resolves only what the scan really looked at", async () => {
    const fixed = findings.filter((f) => f.service !== "kms");
    const skippedKms = await reconcileAlerts(
      t.tenantId,
      { ...SCAN, id: "scan-20260405-0000000D" },
      fixed,
      (service) => service !== "kms",
    );
    expect(skippedKms.resolved).toEqual([]);
    const covered = await reconcileAlerts(t.tenantId, { ...SCAN, id: "scan-20260405-0000000E" }, fixed, everywhere);
    expect(covered.resolved.map((a) => a.service)).toEqual(["kms"]);
  });
});

describe("bulk update", () => {
  it("changes each alert it can and reports the ones it cannot", async () => {
    const [a, b] = ids.slice(2, 4) as [number, number];
    await patch(b, { status: "resolved" });
    const res = await call("PATCH", `${V1}/alerts/bulk`, {
      token: t.token,
      body: { alert_ids: [a, b, 999_999], updates: { status: "acknowledged", notes: "Bulk acknowledged for review" } },
    });
    expect(res.status).toBe(200);
    expect(BulkAlertView.parse(res.body)).toMatchObject({ updated_count: 1 });
    expect(res.body.failed).toEqual([
      { id: b, detail: expect.stringMatching(/resolved cannot become acknowledged/) },
      { id: 999_999, detail: "Alert not found" },
    ]);
    const bad = await call("PATCH", `${V1}/alerts/bulk`, {
      token: t.token,
      body: { alert_ids: [a], updates: { status: "suppressed" } },
    });
    expect(bad.status).toBe(422);
  });
});

describe("alert stats", () => {
  it("counts by severity, status and service, with today's trends", async () => {
    const res = await call("GET", `${V1}/alerts/stats`, { token: t.token });
    const stats = AlertStatsView.parse(res.body);
    expect(stats.total_alerts).toBe(ids.length);
    expect(Object.values(stats.by_status).reduce((x, y) => x + y, 0)).toBe(ids.length);
    expect(stats.by_severity.critical).toBe(
      findings.filter((f) => f.status === "FAIL" && f.severity === "critical").length,
    );
    expect(stats.trends.new_today).toBe(ids.length);
    expect(stats.trends.resolved_today).toBe(stats.by_status.resolved);
  });

  it("is the tenant's own: another tenant sees none and cannot change them", async () => {
    const other = await newTenant("cs-alerts-other");
    expect((await call("GET", `${V1}/alerts/stats`, { token: other.token })).body.total_alerts).toBe(0);
    expect((await patch(ids[5] as number, { status: "acknowledged" }, other.token)).status).toBe(404);
    // Bulk answers each id on its own: another tenant's ids are listed as not found, none changes.
    const before = (await call("GET", `${V1}/alerts/`, { token: t.token, query: { limit: "500" } })).body;
    const bulk = await call("PATCH", `${V1}/alerts/bulk`, {
      token: other.token,
      body: { alert_ids: [ids[5], ids[6]], updates: { status: "resolved" } },
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.updated_count).toBe(0);
    expect(bulk.body.failed.map((f: { id: number }) => f.id)).toEqual([ids[5], ids[6]]);
    const after = (await call("GET", `${V1}/alerts/`, { token: t.token, query: { limit: "500" } })).body;
    expect(after).toEqual(before);
  });
});
