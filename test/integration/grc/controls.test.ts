/**
 * Hardening checklists and security controls against DynamoDB Local: seeded templates, computed
 * completion and status, verification; controls from a catalog requirement or free-form, status
 * transitions, filters, search, ordering and DRF paging.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ChecklistPage, ChecklistView, ControlPage, ControlView } from "#shared/compliance/views.ts";
import { call, newTenant } from "#test/helpers/api.ts";
import { defaultEnterprise, memberToken, newEnterprise, S } from "#test/helpers/grc.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let acme: Tenant;
let globex: Tenant;
let home: { id: string };
let other: { id: string };
let engineer: string;
let viewer: string;

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("grc-ctl"), newTenant("grc-ctl-x")]);
  home = await defaultEnterprise(acme);
  other = await newEnterprise(acme, "Other unit");
  [engineer, viewer] = await Promise.all([
    memberToken(acme, "engineer", [home.id]),
    memberToken(acme, "viewer", [home.id]),
  ]);
});

describe("checklists", () => {
  it("seeds one hardening checklist per system type for each enterprise", async () => {
    const res = await call("GET", `${S}/checklists/?enterprise=${home.id}`, { token: acme.token });
    const page = ChecklistPage.parse(res.body);
    expect(page.count).toBe(7);
    expect(new Set(page.results.map((c) => c.system_type))).toEqual(
      new Set(["linux", "windows", "containers", "kubernetes", "database", "application", "network"]),
    );
    for (const c of page.results) {
      expect(c.items.length).toBeGreaterThanOrEqual(8);
      expect(c).toMatchObject({ status: "incomplete", completion_percentage: 0, last_verified_at: null });
    }
    const linux = await call("GET", `${S}/checklists/?system_type=linux`, { token: engineer });
    expect(linux.body.count).toBe(1);
  });

  it("computes completion and status from the items, verifies only a complete one, and withdraws on change", async () => {
    const [linux] = (await call("GET", `${S}/checklists/?system_type=linux&enterprise=${home.id}`, { token: engineer }))
      .body.results;
    const items = linux.items.map((i: { completed: boolean }, n: number) => ({ ...i, completed: n === 0 }));
    const partial = await call("PATCH", `${S}/checklists/${linux.id}/`, { token: engineer, body: { items } });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({
      status: "in_progress",
      completion_percentage: Math.floor(100 / items.length),
    });
    const early = await call("POST", `${S}/checklists/${linux.id}/verify/`, { token: engineer });
    expect(early.status).toBe(409);
    expect(early.body.error).toContain(`${items.length - 1} open item`);

    const all = items.map((i: object) => ({ ...i, completed: true }));
    await call("PATCH", `${S}/checklists/${linux.id}/`, { token: engineer, body: { items: all } });
    const verified = await call("POST", `${S}/checklists/${linux.id}/verify/`, { token: engineer });
    expect(verified.status).toBe(200);
    const v = ChecklistView.parse(verified.body);
    expect(v).toMatchObject({
      status: "verified",
      completion_percentage: 100,
      verified_by_username: expect.any(String),
    });
    expect(v.last_verified_at).not.toBeNull();

    const byStatus = await call("GET", `${S}/checklists/?status=verified`, { token: engineer });
    expect(byStatus.body.results.map((c: { id: string }) => c.id)).toEqual([linux.id]);
    const ordered = await call("GET", `${S}/checklists/?enterprise=${home.id}&ordering=-completion_percentage`, {
      token: engineer,
    });
    expect(ordered.body.results[0].id).toBe(linux.id);

    const reopened = await call("PATCH", `${S}/checklists/${linux.id}/`, { token: engineer, body: { items } });
    expect(reopened.body).toMatchObject({ status: "in_progress", last_verified_at: null });
  });

  it("creates a custom checklist, refuses duplicate item ids and unknown system types", async () => {
    const created = await call("POST", `${S}/checklists/`, {
      token: engineer,
      body: {
        enterprise: home.id,
        system_type: "database",
        name: "Billing DB",
        items: [{ id: "tls-only", title: "TLS only", priority: "critical", category: "network" }],
      },
    });
    expect(created.status).toBe(201);
    expect(ChecklistView.parse(created.body)).toMatchObject({ name: "Billing DB", completion_percentage: 0 });
    const dup = await call("POST", `${S}/checklists/`, {
      token: engineer,
      body: {
        enterprise: home.id,
        system_type: "database",
        items: [
          { id: "a", title: "A" },
          { id: "a", title: "B" },
        ],
      },
    });
    expect(dup.status).toBe(409);
    const bad = await call("POST", `${S}/checklists/`, {
      token: engineer,
      body: { enterprise: home.id, system_type: "mainframe" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toContain("system_type");
    // Not a member of the other enterprise; a viewer may not write.
    expect(
      (
        await call("POST", `${S}/checklists/`, {
          token: engineer,
          body: { enterprise: other.id, system_type: "linux" },
        })
      ).status,
    ).toBe(403);
    expect(
      (await call("POST", `${S}/checklists/`, { token: viewer, body: { enterprise: home.id, system_type: "linux" } }))
        .status,
    ).toBe(403);
    expect((await call("DELETE", `${S}/checklists/${created.body.id}`, { token: globex.token })).status).toBe(404);
    expect((await call("DELETE", `${S}/checklists/${created.body.id}`, { token: engineer })).status).toBe(204);
    expect((await call("GET", `${S}/checklists/${created.body.id}/`, { token: engineer })).status).toBe(404);
  });
});

describe("controls", () => {
  let ac: string;

  it("creates a control from a catalog requirement, taking its name and category", async () => {
    const res = await call("POST", `${S}/controls/`, {
      token: engineer,
      body: { enterprise: home.id, framework: "nist-800-53-r5", control_id: "AC-2(1)", priority: "critical" },
    });
    expect(res.status).toBe(201);
    const c = ControlView.parse(res.body);
    expect(c).toMatchObject({
      framework: "nist-800-53-r5",
      framework_name: "NIST SP 800-53 Rev. 5",
      control_id: "AC-2(1)",
      requirement_id: "ac-2.1",
      status: "not_implemented",
      verification_date: null,
    });
    expect(c.name.length).toBeGreaterThan(0);
    ac = c.id;
    const unknown = await call("POST", `${S}/controls/`, {
      token: engineer,
      body: { enterprise: home.id, framework: "nist-800-53-r5", control_id: "ZZ-99" },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toContain("control_id");
  });

  it("creates a free-form control only with a name", async () => {
    const noName = await call("POST", `${S}/controls/`, {
      token: engineer,
      body: { enterprise: home.id, control_id: "X-1" },
    });
    expect(noName.status).toBe(400);
    expect(noName.body.details).toContain("name");
    const ok = await call("POST", `${S}/controls/`, {
      token: engineer,
      body: { enterprise: home.id, control_id: "INT-7", name: "Quarterly access review", priority: "low" },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ framework: null, framework_name: null });
  });

  it("moves not_implemented → implemented → verified, and a later drop withdraws the verification", async () => {
    const early = await call("POST", `${S}/controls/${ac}/verify/`, { token: engineer });
    expect(early.status).toBe(409);
    const direct = await call("PATCH", `${S}/controls/${ac}/`, { token: engineer, body: { status: "verified" } });
    expect(direct.status).toBe(400);
    const impl = await call("PATCH", `${S}/controls/${ac}/`, { token: engineer, body: { status: "implemented" } });
    expect(impl.body.status).toBe("implemented");
    const verified = await call("POST", `${S}/controls/${ac}/verify/`, {
      token: engineer,
      body: { test_results: "Access reviews sampled: 12/12" },
    });
    expect(verified.status).toBe(200);
    expect(ControlView.parse(verified.body)).toMatchObject({
      status: "verified",
      test_results: "Access reviews sampled: 12/12",
      verified_by_username: expect.any(String),
    });
    const dropped = await call("PATCH", `${S}/controls/${ac}/`, { token: engineer, body: { status: "implemented" } });
    expect(dropped.body).toMatchObject({ status: "implemented", verification_date: null, verified_by_username: null });
  });

  it("filters by framework, status and priority, searches, orders by priority and pages", async () => {
    for (const id of ["AC-1", "AU-2", "SC-7"]) {
      const r = await call("POST", `${S}/controls/`, {
        token: engineer,
        body: { enterprise: home.id, framework: "800-53", control_id: id, priority: "medium" },
      });
      expect(r.status).toBe(201);
    }
    const byFw = await call("GET", `${S}/controls/?framework=nist-800-53-r5`, { token: viewer });
    expect(ControlPage.parse(byFw.body).count).toBe(4);
    const byAction = await call("GET", `${S}/controls/by_framework/?framework_id=800-53`, { token: viewer });
    expect(byAction.body.results.map((c: { control_id: string }) => c.control_id)).toEqual([
      "AC-1",
      "AC-2(1)",
      "AU-2",
      "SC-7",
    ]);
    const critical = await call("GET", `${S}/controls/?priority=critical`, { token: viewer });
    expect(critical.body.results.map((c: { id: string }) => c.id)).toEqual([ac]);
    const search = await call("GET", `${S}/controls/?search=quarterly`, { token: viewer });
    expect(search.body.count).toBe(1);
    const byPriority = await call("GET", `${S}/controls/?ordering=priority`, { token: viewer });
    expect(byPriority.body.results.map((c: { priority: string }) => c.priority)).toEqual([
      "critical",
      "medium",
      "medium",
      "medium",
      "low",
    ]);
    const reversed = await call("GET", `${S}/controls/?ordering=-priority`, { token: viewer });
    expect(reversed.body.results[0].priority).toBe("low");
    const paged = await call("GET", `${S}/controls/?page_size=2&page=3&ordering=created_at`, { token: viewer });
    expect(paged.body).toMatchObject({ count: 5, next: null });
    expect(paged.body.results).toHaveLength(1);
    const badOrder = await call("GET", `${S}/controls/?ordering=password`, { token: viewer });
    expect(badOrder.status).toBe(400);
    expect(badOrder.body.details).toContain("ordering");
    // Another tenant sees none of them; a member of another enterprise is refused its filter.
    expect((await call("GET", `${S}/controls/`, { token: globex.token })).body.count).toBe(0);
    expect((await call("GET", `${S}/controls/?enterprise=${other.id}`, { token: viewer })).status).toBe(403);
  });

  it("replaces a control with PUT and deletes it", async () => {
    const put = await call("PUT", `${S}/controls/${ac}/`, {
      token: engineer,
      body: { framework: "cis-controls-v8.1", control_id: "6.5", priority: "high" },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      framework: "cis-controls-v8.1",
      control_id: "6.5",
      priority: "high",
      status: "not_implemented",
    });
    expect((await call("DELETE", `${S}/controls/${ac}/`, { token: viewer })).status).toBe(403);
    expect((await call("DELETE", `${S}/controls/${ac}/`, { token: engineer })).status).toBe(204);
  });
});
