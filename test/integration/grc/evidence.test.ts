/**
 * Controls verified by live evidence, against DynamoDB Local: binding a control to a check
 * evaluates it at once; the scheduled worker re-evaluates; a failing check drops a verified
 * control to implemented with the reason, raises a compliance item and writes an audit event; a
 * passing one verifies it again by itself; a check without a source answers not_available.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ControlEvidenceView, EvidenceCheckList } from "#shared/compliance/views.ts";
import { call, newTenant } from "#test/helpers/api.ts";
import { D, defaultEnterprise, S } from "#test/helpers/grc.ts";

const { handler: schedule } = await import("#functions/workers/grc-evidence-schedule.ts");
const { handler: stream } = await import("#functions/workers/grc-evidence-stream.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let acme: Tenant;
let home: { id: string };
let control: string;

const setMinLength = async (min_length: number) => {
  const res = await call("POST", "/cloud-integration/security/authentication/update", {
    token: acme.token,
    body: { password_policy: { min_length, prevent_common: true } },
  });
  expect(res.status).toBe(200);
};
const get = async () => (await call("GET", `${S}/controls/${control}/`, { token: acme.token })).body;

beforeAll(async () => {
  acme = await newTenant("grc-evidence");
  home = await defaultEnterprise(acme);
  const c = await call("POST", `${S}/controls/`, {
    token: acme.token,
    body: { enterprise: home.id, framework: "cis-controls-v8.1", control_id: "5.2", status: "implemented" },
  });
  expect(c.status).toBe(201);
  control = c.body.id;
});

describe("evidence checks", () => {
  it("lists the checks with what each reads and its catalog bindings", async () => {
    const res = await call("GET", `${S}/evidence/checks/`, { token: acme.token });
    const list = EvidenceCheckList.parse(res.body);
    const ids = list.results.map((c) => c.id);
    for (const id of [
      "firewall_default_deny",
      "mfa_enforced_for_admins",
      "audit_chain_intact",
      "certificates_valid_14d",
      "backups_recent_24h",
    ]) {
      expect(ids).toContain(id);
    }
    expect(list.results.find((c) => c.id === "certificates_valid_14d")?.available).toBe(false);
    const bindings = list.results.flatMap((c) => c.bindings);
    expect(
      bindings.filter((b) => ["cis-controls-v8.1", "nist-csf-2.0"].includes(b.framework_id)).length,
    ).toBeGreaterThanOrEqual(15);
  });
});

describe("a control bound to password_policy_strong", () => {
  it("stays implemented while the policy is weak, with the failing evidence recorded", async () => {
    await setMinLength(10);
    const res = await call("POST", `${S}/controls/${control}/evidence/`, {
      token: acme.token,
      body: { check: "password_policy_strong" },
    });
    expect(res.status).toBe(201);
    const r = ControlEvidenceView.parse(res.body);
    expect(r.control.status).toBe("implemented");
    expect(r.checks).toEqual(["password_policy_strong"]);
    expect(r.results[0]).toMatchObject({ check: "password_policy_strong", result: "fail", facts: { min_length: 10 } });
    expect(Date.parse(r.results[0]?.collected_at ?? "")).toBeGreaterThan(Date.now() - 60_000);
    const again = await call("POST", `${S}/controls/${control}/evidence/`, {
      token: acme.token,
      body: { check: "password_policy_strong" },
    });
    expect(again.status).toBe(409);
    const unknown = await call("POST", `${S}/controls/${control}/evidence/`, {
      token: acme.token,
      body: { check: "vibes" },
    });
    expect(unknown.status).toBe(400);
  });

  it("becomes verified by itself once the policy is strong (scheduled run)", async () => {
    await setMinLength(16);
    await schedule();
    const c = await get();
    expect(c).toMatchObject({ status: "verified", verified_by_username: "evidence", status_reason: null });
    expect(c.test_results).toContain("password_policy_strong passed");
  });

  it("drops to implemented with the reason, a compliance item and an audit event when the policy weakens (stream)", async () => {
    await setMinLength(9);
    // What the table stream delivers for the policy change: a MODIFY of the tenant's Settings item.
    await stream({
      Records: [
        {
          eventName: "MODIFY",
          dynamodb: {
            NewImage: { PK: { S: `T#${acme.tenantId}` }, SK: { S: "SETTINGS#auth" }, type: { S: "Settings" } },
          },
        },
      ],
    } as never);
    const c = await get();
    expect(c.status).toBe("implemented");
    expect(c.status_reason).toContain("password_policy_strong failed");
    expect(c.verification_date).toBeNull();

    const items = await call("GET", `${S}/compliance/?search=Restore evidence`, { token: acme.token });
    expect(items.body.count).toBe(1);
    expect(items.body.results[0]).toMatchObject({ status: "not_started", framework: "cis-controls-v8.1" });
    const audit = await call("GET", "/cloud-integration/security/audit/logs?event_type=grc_evidence_failed", {
      token: acme.token,
    });
    expect(JSON.stringify(audit.body)).toContain("grc_evidence_failed");

    const dash = await call("GET", `${D}/compliance/?enterprise_id=${home.id}`, { token: acme.token });
    expect(dash.body.failing_evidence).toEqual([
      expect.objectContaining({ control, reason: expect.stringContaining("password_policy_strong") }),
    ]);

    const history = ControlEvidenceView.parse(
      (await call("GET", `${S}/controls/${control}/evidence/`, { token: acme.token })).body,
    );
    expect(history.results.map((e) => e.result)).toEqual(["fail", "pass", "fail"]);
  });

  it("returns to verified when the policy is fixed, and completes the raised item", async () => {
    await setMinLength(14);
    await schedule();
    expect((await get()).status).toBe("verified");
    const items = await call("GET", `${S}/compliance/?search=Restore evidence`, { token: acme.token });
    expect(items.body.results[0].status).toBe("completed");
  });
});

describe("a check without a source", () => {
  it("answers not_available with the reason and never verifies", async () => {
    const c = await call("POST", `${S}/controls/`, {
      token: acme.token,
      body: { enterprise: home.id, control_id: "TLS-1", name: "Certificates renewed", status: "implemented" },
    });
    const res = await call("POST", `${S}/controls/${c.body.id}/evidence/`, {
      token: acme.token,
      body: { check: "certificates_valid_14d" },
    });
    const r = ControlEvidenceView.parse(res.body);
    expect(r.control.status).toBe("implemented");
    expect(r.results[0]).toMatchObject({ result: "not_available", reason: expect.stringContaining("certificates") });
  });
});
