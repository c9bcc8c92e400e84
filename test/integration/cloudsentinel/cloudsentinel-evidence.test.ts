/**
 * Cloud scan findings → GRC evidence, through the routes: the demo account's scan runs on the real
 * state machine (aws-local-stepfunctions, tasks in process, DynamoDB Local); its Evidence step
 * records a `cloud_posture` evidence record on every control of the tenant mapped to a check of
 * the scan. A critical finding (root without MFA → CIS AWS Foundations 1.5) drops the verified
 * control to implemented with the finding as evidence and raises a compliance item; the scan of
 * the fixed account no longer finds it and the control is verified again. High findings are
 * listed but do not fail; an unmapped control gets nothing; a not_implemented one never moves.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ControlEvidenceView, ControlView } from "#shared/compliance/views.ts";

const { completedDemoScan } = await import("#test/helpers/cloudsentinel-world.ts");
const { call, newTenant } = await import("#test/helpers/api.ts");
const { defaultEnterprise, S } = await import("#test/helpers/grc.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;

let acme: Tenant;
let enterprise: string;

const scan = (demo: true | "fixed") => completedDemoScan(acme.token, demo);

async function control(framework: string, control_id: string, status: "implemented" | "not_implemented") {
  const res = await call("POST", `${S}/controls/`, {
    token: acme.token,
    body: { enterprise, framework, control_id, status },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

const get = async (id: string) =>
  ControlView.parse((await call("GET", `${S}/controls/${id}/`, { token: acme.token })).body);
const evidence = async (id: string) =>
  ControlEvidenceView.parse((await call("GET", `${S}/controls/${id}/evidence/`, { token: acme.token })).body);

let rootMfa: string; // CIS AWS 1.5: root MFA — critical in the demo account
let sshOpen: string; // CIS AWS 5.2: SSH open to the world — high only
let rootMfaNotImpl: string; // NIST CSF PR.AA-03, not implemented
let unmapped: string; // CIS AWS 1.1: contact details, no automated check
let noCritical: string; // CIS Controls 7.7, bound to cloud_scan_no_critical
let firstScan: string;

beforeAll(async () => {
  acme = await newTenant("cs-evidence");
  enterprise = (await defaultEnterprise(acme)).id;
  rootMfa = await control("cis-aws-foundations-v3.0", "1.5", "implemented");
  sshOpen = await control("cis-aws-foundations-v3.0", "5.2", "implemented");
  rootMfaNotImpl = await control("nist-csf-2.0", "PR.AA-03", "not_implemented");
  unmapped = await control("cis-aws-foundations-v3.0", "1.1", "implemented");
  noCritical = await control("cis-controls-v8.1", "7.7", "implemented");
  for (const id of [rootMfa, sshOpen]) {
    const v = await call("POST", `${S}/controls/${id}/verify/`, {
      token: acme.token,
      body: { test_results: "Reviewed by the auditor" },
    });
    expect(v.status, v.text).toBe(200);
  }
  const bound = await call("POST", `${S}/controls/${noCritical}/evidence/`, {
    token: acme.token,
    body: { check: "cloud_scan_no_critical" },
  });
  expect(bound.status).toBe(201);
  // No scan yet: not available, never a pass.
  expect(ControlEvidenceView.parse(bound.body).results[0]).toMatchObject({ result: "not_available" });
  firstScan = await scan(true);
}, 120_000);

describe("a scan of the misconfigured account", () => {
  it("drops the verified control of a critical finding, with the finding as evidence", async () => {
    const c = await get(rootMfa);
    expect(c.status).toBe("implemented");
    expect(c.status_reason).toContain("cloud_posture failed");
    expect(c.status_reason).toContain("iam_root_mfa_enabled");
    expect(c.verification_date).toBeNull();
    const e = await evidence(rootMfa);
    expect(e.results[0]).toMatchObject({
      check: "cloud_posture",
      result: "fail",
      facts: {
        scan_id: firstScan,
        account_id: "123456789012",
        framework: "cis-aws-foundations-v3.0",
        requirement: "1.5",
      },
    });
    const critical = e.results[0]?.facts.critical as { check: string; alert_id: number; alert_status: string }[];
    expect(critical.map((f) => f.check)).toContain("iam_root_mfa_enabled");
    expect(critical.every((f) => typeof f.alert_id === "number" && f.alert_status === "open")).toBe(true);
  });

  it("raises a compliance item and audits the drop", async () => {
    const items = await call("GET", `${S}/compliance/?search=Restore evidence`, { token: acme.token });
    expect(items.body.results).toEqual([
      expect.objectContaining({ status: "not_started", framework: "cis-aws-foundations-v3.0" }),
    ]);
    const audit = await call("GET", "/cloud-integration/security/audit/logs?event_type=grc_evidence_failed", {
      token: acme.token,
    });
    expect(JSON.stringify(audit.body)).toContain(firstScan);
  });

  it("records a high-only requirement as passing, with the high finding listed", async () => {
    const c = await get(sshOpen);
    expect(c.status).toBe("verified");
    const latest = (await evidence(sshOpen)).results[0];
    expect(latest).toMatchObject({ check: "cloud_posture", result: "pass" });
    const high = (latest?.facts.high ?? []) as { check: string }[];
    expect(high.map((f) => f.check)).toContain("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22");
  });

  it("records failing evidence on a not_implemented control without moving it", async () => {
    expect((await get(rootMfaNotImpl)).status).toBe("not_implemented");
    expect((await evidence(rootMfaNotImpl)).results[0]).toMatchObject({ check: "cloud_posture", result: "fail" });
  });

  it("leaves a control no check maps to alone", async () => {
    expect((await evidence(unmapped)).results).toEqual([]);
    expect((await get(unmapped)).status).toBe("implemented");
  });

  it("fails the tenant-wide cloud_scan_no_critical check on its bound control", async () => {
    const latest = (await evidence(noCritical)).results[0];
    expect(latest).toMatchObject({ check: "cloud_scan_no_critical", result: "fail" });
    const open = latest?.facts.open_critical as { check: string }[];
    expect(open.map((f) => f.check)).toContain("iam_root_mfa_enabled");
  });
});

describe("a later scan that no longer finds it", () => {
  let fixedScan: string;
  beforeAll(async () => {
    fixedScan = await scan("fixed");
  }, 120_000);

  it("verifies the control again and completes its compliance item", async () => {
    const c = await get(rootMfa);
    expect(c).toMatchObject({ status: "verified", status_reason: null, verified_by_username: "evidence" });
    expect(c.test_results).toContain(fixedScan);
    const e = await evidence(rootMfa);
    expect(e.results.map((r) => r.result).slice(0, 2)).toEqual(["pass", "fail"]);
    expect(e.results[0]?.facts.critical).toEqual([]);
    const items = await call("GET", `${S}/compliance/?search=Restore evidence`, { token: acme.token });
    expect(items.body.results[0].status).toBe("completed");
  });

  it("passes cloud_scan_no_critical, which verifies its implemented control", async () => {
    expect((await evidence(noCritical)).results[0]).toMatchObject({ result: "pass" });
    expect((await get(noCritical)).status).toBe("verified");
  });
});
