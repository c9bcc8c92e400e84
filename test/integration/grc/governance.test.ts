/**
 * GRC governance routes against DynamoDB Local: enterprises (the default one named after the
 * organisation, admin vs member vs other tenant), frameworks from the shipped catalogs, policies
 * (one per enterprise, ranges, compliance summary), DRF pagination and trailing slashes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  ComplianceSummaryView,
  EnterprisePage,
  FrameworkPage,
  FrameworkRequirementsView,
  FrameworkView,
  PolicyApplyView,
  PolicyPage,
  PolicyView,
} from "#shared/compliance/views.ts";
import { call, newTenant } from "#test/helpers/api.ts";
import { defaultEnterprise, memberToken, newEnterprise, S } from "#test/helpers/grc.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let acme: Tenant;
let globex: Tenant;
let home: { id: string; name: string };
let branch: { id: string; name: string };
let memberOfBranch: string;
let outsider: string;

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("grc-acme"), newTenant("grc-globex")]);
  home = await defaultEnterprise(acme);
  branch = await newEnterprise(acme, "Acme Subsidiary");
  [memberOfBranch, outsider] = await Promise.all([
    memberToken(acme, "engineer", [branch.id]),
    memberToken(acme, "viewer", []),
  ]);
});

describe("enterprises", () => {
  it("gives a new tenant one enterprise named after its organisation", async () => {
    const res = await call("GET", `${S}/enterprises/`, { token: globex.token });
    expect(res.status).toBe(200);
    const page = EnterprisePage.parse(res.body);
    expect(page.count).toBe(1);
    expect(page.results[0]?.name).toBe(globex.organization);
    expect(home.name).toBe(acme.organization);
  });

  it("shows a member only their enterprises, refuses a non-member (403) and hides other tenants (404)", async () => {
    const mine = await call("GET", `${S}/enterprises/`, { token: memberOfBranch });
    expect(mine.body.results.map((e: { id: string }) => e.id)).toEqual([branch.id]);
    expect((await call("GET", `${S}/enterprises/${home.id}/`, { token: memberOfBranch })).status).toBe(403);
    expect((await call("GET", `${S}/enterprises/`, { token: outsider })).status).toBe(403);
    const cross = await call("GET", `${S}/enterprises/${home.id}/`, { token: globex.token });
    expect(cross.status).toBe(404);
    expect(cross.body).toEqual({ error: expect.any(String), details: expect.any(String) });
  });

  it("lets an admin rename one, refuses a duplicate name (409), and only admins may create (403)", async () => {
    const renamed = await call("PATCH", `${S}/enterprises/${branch.id}`, {
      token: acme.token,
      body: { description: "EU subsidiary" },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.description).toBe("EU subsidiary");
    const dup = await call("POST", `${S}/enterprises/`, { token: acme.token, body: { name: "acme subsidiary" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toContain(branch.id);
    expect((await call("POST", `${S}/enterprises/`, { token: memberOfBranch, body: { name: "X" } })).status).toBe(403);
  });

  it("only an administrator may assign enterprises to users", async () => {
    const res = await call("POST", "/cloud-integration/security/users/update", {
      token: memberOfBranch,
      body: { user_id: acme.userId, enterprises: [branch.id] },
    });
    expect(res.status).toBe(403);
  });
});

describe("frameworks", () => {
  it("lists the 9 shipped catalogs, DRF-paged", async () => {
    const res = await call("GET", `${S}/frameworks/`, { token: acme.token });
    expect(res.status).toBe(200);
    const page = FrameworkPage.parse(res.body);
    expect(page.count).toBe(9);
    expect(page.next).toBeNull();
    expect(page.results.map((f) => f.id)).toContain("iso-27001-2022");
    const paged = await call("GET", `${S}/frameworks/?page_size=3&page=2`, { token: acme.token });
    expect(paged.body).toMatchObject({
      count: 9,
      next: `${S}/frameworks/?page_size=3&page=3`,
      previous: `${S}/frameworks/?page_size=3`,
    });
    expect(paged.body.results).toHaveLength(3);
    expect((await call("GET", `${S}/frameworks/?page=4&page_size=3`, { token: acme.token })).status).toBe(404);
    const tooBig = await call("GET", `${S}/frameworks/?page_size=101`, { token: acme.token });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.details).toContain("page_size");
  });

  it("resolves a name: nist is the CSF 2.0", async () => {
    const res = await call("GET", `${S}/frameworks/by_name/?name=nist`, { token: acme.token });
    expect(res.status).toBe(200);
    expect(FrameworkView.parse(res.body)).toMatchObject({ id: "nist-csf-2.0", name: "nist", version: "2.0" });
    expect((await call("GET", `${S}/frameworks/by_name/?name=nope`, { token: acme.token })).status).toBe(404);
  });

  it("answers with and without the trailing slash", async () => {
    const a = await call("GET", `${S}/frameworks/cis-controls-v8.1/`, { token: acme.token });
    const b = await call("GET", `${S}/frameworks/cis-controls-v8.1`, { token: acme.token });
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
  });

  it("serves the CSF 2.0 requirement tree: 6 functions, 22 categories, 106 subcategories, with 800-53 mappings", async () => {
    const res = await call("GET", `${S}/frameworks/nist-csf-2.0/requirements/`, { token: acme.token });
    expect(res.status).toBe(200);
    const tree = FrameworkRequirementsView.parse(res.body);
    type Node = { id: string; children: Node[]; mappings: { framework_id: string }[] };
    const roots = tree.requirements as Node[];
    const categories = roots.flatMap((f) => f.children);
    const subcategories = categories.flatMap((c) => c.children);
    expect(roots).toHaveLength(6);
    expect(categories).toHaveLength(22);
    expect(subcategories).toHaveLength(106);
    const ac = subcategories.find((s) => s.id === "PR.AA-05");
    expect(ac?.mappings.some((m) => m.framework_id === "nist-800-53-r5")).toBe(true);
  });
});

describe("policies", () => {
  let policyId: string;

  it("creates a policy with the spec's fields, defaults and resolved frameworks (201)", async () => {
    const res = await call("POST", `${S}/policies/`, {
      token: acme.token,
      body: {
        enterprise: home.id,
        mfa_required: true,
        password_min_length: 16,
        password_expiry_days: 90,
        enable_audit_logging: true,
        primary_framework: "nist",
        frameworks: ["ISO 27001"],
      },
    });
    expect(res.status).toBe(201);
    const p = PolicyView.parse(res.body);
    expect(p).toMatchObject({
      enterprise: home.id,
      password_min_length: 16,
      primary_framework: "nist-csf-2.0",
      frameworks: ["iso-27001-2022"],
      tls_minimum_version: "1.2",
    });
    policyId = p.id;
  });

  it("refuses a second policy for the same enterprise, naming the first (409)", async () => {
    const res = await call("POST", `${S}/policies/`, { token: acme.token, body: { enterprise: home.id } });
    expect(res.status).toBe(409);
    expect(res.body.error).toContain(policyId);
  });

  it("validates ranges and enums, naming the field", async () => {
    for (const [field, value] of [
      ["password_min_length", 7],
      ["password_min_length", 129],
      ["tls_minimum_version", "1.1"],
      ["primary_framework", "made-up"],
    ] as const) {
      const res = await call("PATCH", `${S}/policies/${policyId}/`, { token: acme.token, body: { [field]: value } });
      expect(res.status, field).toBe(400);
      expect(`${res.body.error} ${res.body.details}`).toContain(field);
    }
  });

  it("updates (PATCH), summarises, filters, and deletes", async () => {
    const patched = await call("PATCH", `${S}/policies/${policyId}/`, {
      token: acme.token,
      body: { enable_backups: false, tls_minimum_version: "1.3" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ enable_backups: false, tls_minimum_version: "1.3" });

    const summary = await call("GET", `${S}/policies/${policyId}/compliance_summary/`, { token: acme.token });
    expect(ComplianceSummaryView.parse(summary.body)).toMatchObject({
      policy_id: policyId,
      enterprise: home.id,
      frameworks: ["NIST Cybersecurity Framework (CSF) 2.0", "ISO/IEC 27001:2022 Annex A"],
      summary: { mfa_enabled: true, backup_enabled: false, audit_logging: true },
    });

    const byFramework = await call("GET", `${S}/policies/?primary_framework=nist`, { token: acme.token });
    expect(PolicyPage.parse(byFramework.body).count).toBe(1);
    const none = await call("GET", `${S}/policies/?enterprise=${branch.id}`, { token: acme.token });
    expect(none.body.count).toBe(0);
    // The branch member does not see the home enterprise's policy.
    expect((await call("GET", `${S}/policies/`, { token: memberOfBranch })).body.count).toBe(0);
    expect((await call("GET", `${S}/policies/${policyId}/`, { token: memberOfBranch })).status).toBe(403);
    expect((await call("GET", `${S}/policies/${policyId}/`, { token: globex.token })).status).toBe(404);

    const put = await call("PUT", `${S}/policies/${policyId}/`, { token: acme.token, body: { rto_hours: 2 } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ rto_hours: 2, tls_minimum_version: "1.2", primary_framework: null });

    expect((await call("DELETE", `${S}/policies/${policyId}/`, { token: globex.token })).status).toBe(404);
    expect((await call("DELETE", `${S}/policies/${policyId}/`, { token: acme.token })).status).toBe(204);
    // The enterprise may have a policy again.
    const again = await call("POST", `${S}/policies/`, { token: acme.token, body: { enterprise: home.id } });
    expect(again.status).toBe(201);
  });
});

describe("applying a policy", () => {
  it("shows the diff on a dry run, then applies it to the authentication policy and audit retention", async () => {
    const list = await call("GET", `${S}/policies/?enterprise=${home.id}`, { token: acme.token });
    const id = list.body.results[0].id;
    await call("PATCH", `${S}/policies/${id}/`, {
      token: acme.token,
      body: { password_min_length: 15, audit_log_retention_days: 400, password_history_count: 30 },
    });
    const dry = await call("POST", `${S}/policies/${id}/apply/`, { token: acme.token, body: { dry_run: true } });
    expect(dry.status).toBe(200);
    expect(PolicyApplyView.parse(dry.body)).toMatchObject({
      dry_run: true,
      applied: false,
      changes: {
        "authentication.password_policy.min_length": { new: 15 },
        "audit.retention_days": { new: 400 },
      },
      adjusted: [expect.stringContaining("password_history_count")],
    });
    const before = await call("GET", "/cloud-integration/security/authentication/settings", { token: acme.token });
    expect(before.body.password_policy.min_length).not.toBe(15);

    const applied = await call("POST", `${S}/policies/${id}/apply/`, { token: acme.token });
    expect(applied.body).toMatchObject({ applied: true, dry_run: false });
    const after = await call("GET", "/cloud-integration/security/authentication/settings", { token: acme.token });
    expect(after.body.password_policy).toMatchObject({ min_length: 15, history_size: 24 });
    const again = await call("POST", `${S}/policies/${id}/apply/`, { token: acme.token });
    expect(again.body).toMatchObject({ applied: false, changes: {} });
  });
});
