/**
 * AWS Foundational Security Best Practices as a GRC framework: a tenant adopts it like any other
 * (its controls named by Security Hub control id), and cloud scans give those controls evidence
 * through the posture checks' FSBP mappings. The demo account's scan runs on the real state machine
 * (aws-local-stepfunctions, tasks in process, DynamoDB Local): its planted critical
 * misconfigurations — root without MFA (FSBP IAM.9) and a publicly readable bucket (FSBP S3.2) —
 * fail those controls; the scan of the fixed account passes them again.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ControlEvidenceView, ControlView, FrameworkView } from "#shared/compliance/views.ts";

const { completedDemoScan } = await import("#test/helpers/cloudsentinel-world.ts");
const { call, newTenant } = await import("#test/helpers/api.ts");
const { defaultEnterprise, S } = await import("#test/helpers/grc.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;

let acme: Tenant;
let enterprise: string;

const scan = (demo: true | "fixed") => completedDemoScan(acme.token, demo);

/** Adopts one FSBP control (named as a person would: "fsbp" resolves to the catalog), verified by an auditor. */
async function verifiedControl(control_id: string): Promise<string> {
  const res = await call("POST", `${S}/controls/`, {
    token: acme.token,
    body: { enterprise, framework: "fsbp", control_id, status: "implemented" },
  });
  expect(res.status, res.text).toBe(201);
  const v = await call("POST", `${S}/controls/${res.body.id}/verify/`, {
    token: acme.token,
    body: { test_results: "Reviewed by the auditor" },
  });
  expect(v.status, v.text).toBe(200);
  return res.body.id as string;
}

const get = async (id: string) =>
  ControlView.parse((await call("GET", `${S}/controls/${id}/`, { token: acme.token })).body);
const evidence = async (id: string) =>
  ControlEvidenceView.parse((await call("GET", `${S}/controls/${id}/evidence/`, { token: acme.token })).body);

let rootMfa: string; // FSBP IAM.9: MFA on the root user — critical in the demo account
let publicRead: string; // FSBP S3.2: buckets prohibit public read access — critical in the demo account
let unscanned: string; // FSBP ACM.1: no check of the scan maps to it
let firstScan: string;

beforeAll(async () => {
  acme = await newTenant("fsbp-evidence");
  enterprise = (await defaultEnterprise(acme)).id;
  rootMfa = await verifiedControl("IAM.9");
  publicRead = await verifiedControl("S3.2");
  unscanned = await verifiedControl("ACM.1");
  firstScan = await scan(true);
}, 120_000);

describe("the FSBP framework", () => {
  it("is listed and resolved by name like the other frameworks, with its controls under their services", async () => {
    const byName = await call("GET", `${S}/frameworks/by_name/?name=AWS Foundational Security Best Practices`, {
      token: acme.token,
    });
    expect(byName.status, byName.text).toBe(200);
    expect(FrameworkView.parse(byName.body)).toMatchObject({ id: "aws-fsbp" });

    const tree = await call("GET", `${S}/frameworks/aws-fsbp/requirements/`, { token: acme.token });
    expect(tree.status).toBe(200);
    const iam = (tree.body.requirements as { id: string; children: { id: string; title: string }[] }[]).find(
      (s) => s.id === "IAM",
    );
    expect(iam?.children).toContainEqual(
      expect.objectContaining({ id: "IAM.9", title: "MFA should be enabled for the root user" }),
    );
  });

  it("stores adopted controls under the catalog id, and refuses a control id FSBP does not have", async () => {
    expect(await get(unscanned)).toMatchObject({
      framework: "aws-fsbp",
      framework_name: expect.stringContaining("Foundational Security Best Practices"),
    });
    const unknown = await call("POST", `${S}/controls/`, {
      token: acme.token,
      body: { enterprise, framework: "aws-fsbp", control_id: "IAM.999", status: "implemented" },
    });
    expect(unknown.status).toBe(400);
  });
});

describe("a scan of the misconfigured account", () => {
  it.each([
    ["IAM.9", () => rootMfa, "iam_root_mfa_enabled"],
    ["S3.2", () => publicRead, "s3_bucket_public_access"],
  ])("fails FSBP %s with the critical finding as evidence and drops its verification", async (id, control, check) => {
    const c = await get(control());
    expect(c.status).toBe("implemented");
    expect(c.status_reason).toContain("cloud_posture failed");
    expect(c.status_reason).toContain(check);

    const latest = (await evidence(control())).results[0];
    expect(latest).toMatchObject({
      check: "cloud_posture",
      result: "fail",
      facts: { scan_id: firstScan, account_id: "123456789012", framework: "aws-fsbp", requirement: id },
    });
    const critical = latest?.facts.critical as { check: string; severity: string; alert_status: string }[];
    expect(critical.map((f) => f.check)).toContain(check);
    expect(critical.every((f) => f.severity === "critical" && f.alert_status === "open")).toBe(true);
  });

  it("leaves an FSBP control no scanned check maps to without evidence, still verified", async () => {
    expect((await evidence(unscanned)).results).toEqual([]);
    expect((await get(unscanned)).status).toBe("verified");
  });
});

describe("a later scan of the fixed account", () => {
  let fixedScan: string;
  beforeAll(async () => {
    fixedScan = await scan("fixed");
  }, 120_000);

  it.each([
    ["IAM.9", () => rootMfa],
    ["S3.2", () => publicRead],
  ])("passes FSBP %s again and re-verifies the control from the evidence", async (_id, control) => {
    const c = await get(control());
    expect(c).toMatchObject({ status: "verified", status_reason: null, verified_by_username: "evidence" });
    expect(c.test_results).toContain(fixedScan);
    const results = (await evidence(control())).results;
    expect(results.map((r) => r.result).slice(0, 2)).toEqual(["pass", "fail"]);
    expect(results[0]?.facts).toMatchObject({ scan_id: fixedScan, framework: "aws-fsbp", critical: [] });
  });
});
