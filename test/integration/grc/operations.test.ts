/**
 * GRC operations against DynamoDB Local: the audit lifecycle (409 on a wrong move, findings
 * consistency, upcoming), incidents (lifecycle with a timeline, active, by severity, time to
 * resolve), compliance items (overdue, by framework, mark completed) and the dashboards, whose
 * compliance score is weighted by control priority.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  AuditPage,
  AuditsDashboardView,
  AuditView,
  BySeverityView,
  ComplianceByFrameworkView,
  ComplianceDashboardView,
  ComplianceItemView,
  IncidentsDashboardView,
  IncidentView,
  OverviewView,
} from "#shared/compliance/views.ts";
import { call, newTenant } from "#test/helpers/api.ts";
import { D, defaultEnterprise, memberToken, newEnterprise, S } from "#test/helpers/grc.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let acme: Tenant;
let globex: Tenant;
let home: { id: string; name: string };
let other: { id: string };
let operator: string;

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const dateIn = (d: number) => inDays(d).slice(0, 10);

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("grc-ops"), newTenant("grc-ops-x")]);
  home = await defaultEnterprise(acme);
  other = await newEnterprise(acme, "Ops other");
  operator = await memberToken(acme, "operator", [home.id]);
});

describe("audits", () => {
  let auditId: string;

  it("creates a scheduled audit with the spec's fields (201)", async () => {
    const res = await call("POST", `${S}/audits/`, {
      token: acme.token,
      body: {
        enterprise: home.id,
        audit_type: "external",
        title: "2026 Q1 External Security Audit",
        description: "Full scope security audit",
        scope: "Full infrastructure",
        scheduled_date: inDays(10),
        conducted_by: "Acme Security Inc.",
        conducted_by_external: true,
      },
    });
    expect(res.status).toBe(201);
    const a = AuditView.parse(res.body);
    expect(a).toMatchObject({ status: "scheduled", start_date: null, findings_count: 0, conducted_by_external: true });
    auditId = a.id;
  });

  it("walks scheduled → on_hold → in_progress → completed and refuses wrong moves (409)", async () => {
    expect(
      (await call("POST", `${S}/audits/${auditId}/complete/`, { token: acme.token, body: { findings_count: 0 } }))
        .status,
    ).toBe(409);
    const held = await call("PATCH", `${S}/audits/${auditId}/`, { token: acme.token, body: { status: "on_hold" } });
    expect(held.body.status).toBe("on_hold");
    const started = await call("POST", `${S}/audits/${auditId}/start/`, { token: acme.token });
    expect(started.status).toBe(200);
    expect(started.body.status).toBe("in_progress");
    expect(started.body.start_date).not.toBeNull();
    expect((await call("POST", `${S}/audits/${auditId}/start/`, { token: acme.token })).status).toBe(409);
    const inconsistent = await call("POST", `${S}/audits/${auditId}/complete/`, {
      token: acme.token,
      body: { findings_count: 3, critical_findings: 1, high_findings: 3 },
    });
    expect(inconsistent.status).toBe(400);
    expect(inconsistent.body.details).toContain("findings_count");
    const done = await call("POST", `${S}/audits/${auditId}/complete/`, {
      token: acme.token,
      body: { findings_count: 12, critical_findings: 1, high_findings: 3, medium_findings: 5, low_findings: 3 },
    });
    expect(done.status).toBe(200);
    expect(AuditView.parse(done.body)).toMatchObject({ status: "completed", findings_count: 12, low_findings: 3 });
    expect(done.body.end_date).not.toBeNull();
    expect(
      (await call("PATCH", `${S}/audits/${auditId}/`, { token: acme.token, body: { status: "on_hold" } })).status,
    ).toBe(409);
  });

  it("lists upcoming audits within the given days, filters by status and orders by date", async () => {
    for (const d of [5, 40]) {
      await call("POST", `${S}/audits/`, {
        token: acme.token,
        body: { enterprise: home.id, title: `In ${d} days`, scheduled_date: inDays(d) },
      });
    }
    const soon = await call("GET", `${S}/audits/upcoming/`, { token: operator });
    expect(AuditPage.parse(soon.body).results.map((a) => a.title)).toEqual(["In 5 days"]);
    const later = await call("GET", `${S}/audits/upcoming/?days=60`, { token: operator });
    expect(later.body.results.map((a: { title: string }) => a.title)).toEqual(["In 5 days", "In 40 days"]);
    const completed = await call("GET", `${S}/audits/?status=completed`, { token: operator });
    expect(completed.body.count).toBe(1);
    const ordered = await call("GET", `${S}/audits/?ordering=-scheduled_date`, { token: operator });
    expect(ordered.body.results[0].title).toBe("In 40 days");
    // Operators read compliance records but do not change them.
    expect((await call("POST", `${S}/audits/${auditId}/start/`, { token: operator })).status).toBe(403);
  });
});

describe("incidents", () => {
  let incidentId: string;

  it("reports an incident and walks its lifecycle with a timeline entry per change", async () => {
    const res = await call("POST", `${S}/incidents/`, {
      token: operator,
      body: {
        enterprise: home.id,
        title: "Unauthorized Access Detected",
        description: "Multiple failed authentication attempts",
        severity: "high",
        systems_affected: "API Gateway,Authentication",
        data_affected: "User authentication logs",
        detected_at: inDays(-1),
      },
    });
    expect(res.status).toBe(201);
    const i = IncidentView.parse(res.body);
    expect(i).toMatchObject({ status: "reported", resolved_at: null, time_to_resolve_minutes: null });
    incidentId = i.id;

    const investigating = await call("POST", `${S}/incidents/${incidentId}/update_status/`, {
      token: operator,
      body: { status: "investigating", note: "SOC on it" },
    });
    expect(investigating.status).toBe(200);
    const back = await call("POST", `${S}/incidents/${incidentId}/update_status/`, {
      token: operator,
      body: { status: "reported" },
    });
    expect(back.status).toBe(409);
    const bad = await call("POST", `${S}/incidents/${incidentId}/update_status/`, {
      token: operator,
      body: { status: "closed" },
    });
    expect(bad.status).toBe(400);
    const resolved = await call("POST", `${S}/incidents/${incidentId}/update_status/`, {
      token: operator,
      body: { status: "resolved" },
    });
    const r = IncidentView.parse(resolved.body);
    expect(r.status).toBe("resolved");
    expect(r.contained_at).not.toBeNull();
    expect(r.timeline.map((t) => [t.from, t.to])).toEqual([
      [null, "reported"],
      ["reported", "investigating"],
      ["investigating", "resolved"],
    ]);
    expect(r.timeline[1]).toMatchObject({ note: "SOC on it", by: expect.any(String) });
    // Detected a day ago: about 1,440 minutes to resolve.
    expect(r.time_to_resolve_minutes).toBeGreaterThanOrEqual(1439);
    expect(r.time_to_resolve_minutes).toBeLessThanOrEqual(1441);
  });

  it("lists active incidents and counts them by severity", async () => {
    for (const severity of ["critical", "high", "high"]) {
      await call("POST", `${S}/incidents/`, {
        token: operator,
        body: { enterprise: home.id, title: `A ${severity}`, severity },
      });
    }
    const active = await call("GET", `${S}/incidents/active/`, { token: operator });
    expect(active.body.count).toBe(3);
    expect(active.body.results.map((i: { id: string }) => i.id)).not.toContain(incidentId);
    const counts = await call("GET", `${S}/incidents/by_severity/`, { token: operator });
    expect(BySeverityView.parse(counts.body)).toEqual({ critical: 1, high: 2, medium: 0, low: 0 });
    const bySeverity = await call("GET", `${S}/incidents/?ordering=severity&status=reported`, { token: operator });
    expect(bySeverity.body.results[0].severity).toBe("critical");
    expect((await call("GET", `${S}/incidents/by_severity/`, { token: globex.token })).body).toEqual({
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
    });
  });
});

describe("compliance items", () => {
  let late: string;

  it("creates items, flags the overdue ones and summarises a framework", async () => {
    const make = async (body: Record<string, unknown>) => {
      const res = await call("POST", `${S}/compliance/`, { token: acme.token, body: { enterprise: home.id, ...body } });
      expect(res.status).toBe(201);
      return ComplianceItemView.parse(res.body);
    };
    const a = await make({
      requirement_name: "Information Security Policy",
      framework: "iso",
      section_reference: "A.5.1",
      deadline: dateIn(-3),
      owner: acme.userId,
    });
    late = a.id;
    expect(a).toMatchObject({ framework: "iso-27001-2022", overdue: true, owner_username: acme.username });
    await make({ requirement_name: "Access control", framework: "iso", deadline: dateIn(30), status_percentage: 40 });
    await make({ requirement_name: "Logging", framework: "iso", status: "completed" });
    const noOwner = await call("POST", `${S}/compliance/`, {
      token: acme.token,
      body: { enterprise: home.id, requirement_name: "X", owner: 999_999 },
    });
    expect(noOwner.status).toBe(400);
    expect(noOwner.body.details).toContain("owner");

    const overdue = await call("GET", `${S}/compliance/overdue/`, { token: operator });
    expect(overdue.body.results.map((i: { id: string }) => i.id)).toEqual([late]);
    const byFw = await call("GET", `${S}/compliance/by_framework/?framework_id=iso-27001-2022`, { token: operator });
    expect(ComplianceByFrameworkView.parse(byFw.body)).toMatchObject({
      framework_id: "iso-27001-2022",
      total: 3,
      completed: 1,
      in_progress: 1,
      not_started: 1,
      overall_percentage: 33.33,
    });
    const search = await call("GET", `${S}/compliance/?search=logging`, { token: operator });
    expect(search.body.count).toBe(1);
    const byPct = await call("GET", `${S}/compliance/?ordering=-status_percentage`, { token: operator });
    expect(byPct.body.results.map((i: { status_percentage: number }) => i.status_percentage)).toEqual([100, 40, 0]);
  });

  it("marks an item completed once (409 the second time)", async () => {
    const done = await call("POST", `${S}/compliance/${late}/mark_completed/`, { token: acme.token });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: "completed", status_percentage: 100, overdue: false });
    expect(done.body.completed_date).toBe(new Date().toISOString().slice(0, 10));
    expect((await call("POST", `${S}/compliance/${late}/mark_completed/`, { token: acme.token })).status).toBe(409);
    expect((await call("POST", `${S}/compliance/${late}/mark_completed/`, { token: globex.token })).status).toBe(404);
  });
});

describe("dashboards", () => {
  it("computes the overview and the priority-weighted compliance score from the records", async () => {
    // Controls in the other enterprise: critical verified (4×1), low not implemented (1×0), high implemented (3×0.5).
    const mk = async (control_id: string, priority: string, status: string) => {
      const c = await call("POST", `${S}/controls/`, {
        token: acme.token,
        body: {
          enterprise: other.id,
          control_id,
          name: control_id,
          priority,
          status: status === "verified" ? "implemented" : status,
        },
      });
      expect(c.status).toBe(201);
      if (status === "verified") await call("POST", `${S}/controls/${c.body.id}/verify/`, { token: acme.token });
    };
    await mk("D-1", "critical", "verified");
    await mk("D-2", "low", "not_implemented");
    await mk("D-3", "high", "implemented");
    const res = await call("GET", `${D}/overview/`, { token: acme.token });
    expect(res.status).toBe(200);
    const o = OverviewView.parse(res.body);
    const otherRow = o.enterprises.find((e) => e.id === other.id);
    // (4 + 1.5) / 8 = 68.75
    expect(otherRow?.security).toMatchObject({
      controls: { total: 3, verified: 1, percentage: 33.33 },
      compliance_score: 68.75,
      policy_active: false,
    });
    const homeRow = o.enterprises.find((e) => e.id === home.id);
    expect(homeRow?.security.incidents).toEqual({ active: 3, critical: 1, high: 2 });
    expect(homeRow?.security.audits).toEqual({ upcoming: 1, recent: 1 });
    expect(o.summary).toMatchObject({
      total_enterprises: 2,
      controls_total: 3,
      active_incidents: 3,
      upcoming_audits: 1,
    });
    // A member sees only their enterprise.
    const mine = OverviewView.parse((await call("GET", `${D}/overview/`, { token: operator })).body);
    expect(mine.enterprises.map((e) => e.id)).toEqual([home.id]);
  });

  it("answers the compliance, incidents and audits dashboards per enterprise", async () => {
    const comp = await call("GET", `${D}/compliance/?enterprise_id=${other.id}`, { token: acme.token });
    expect(ComplianceDashboardView.parse(comp.body)).toMatchObject({
      compliance_score: 68.75,
      controls: { total: 3, verified: 1, implemented: 1, not_implemented: 1 },
    });
    const inc = await call("GET", `${D}/incidents/?enterprise_id=${home.id}`, { token: operator });
    expect(IncidentsDashboardView.parse(inc.body)).toMatchObject({
      total: 4,
      active: 3,
      by_status: { reported: 3, resolved: 1 },
      active_by_severity: { critical: 1, high: 2 },
    });
    expect(inc.body.mean_time_to_resolve_minutes).toBeGreaterThan(1400);
    const aud = await call("GET", `${D}/audits/?enterprise_id=${home.id}&days=60`, { token: operator });
    const a = AuditsDashboardView.parse(aud.body);
    expect(a.upcoming.map((x) => x.title)).toEqual(["In 5 days", "In 40 days"]);
    expect(a.findings).toEqual({ total: 12, critical: 1, high: 3, medium: 5, low: 3 });
    expect((await call("GET", `${D}/compliance/?enterprise_id=${other.id}`, { token: operator })).status).toBe(403);
  });
});
