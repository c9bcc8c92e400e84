/**
 * A scan with access keys, through the real state machine, against AWS answered by
 * aws-sdk-client-mock (AWS control planes cannot run here): the keys are sealed on the scan only
 * while it runs and deleted at its end, never answered or audited; a service AWS refuses
 * (AccessDenied) is skipped with its reason while the rest is collected and judged.
 */
import { resolve } from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import { GuardDutyClient, ListDetectorsCommand } from "@aws-sdk/client-guardduty";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, describe, expect, it } from "vitest";
import { createLocalRunner } from "#infra/local/workflows/runner-local.ts";
import { readAudit } from "#shared/audit/trail.ts";
import { getSealedCredentials } from "#shared/posture/db/scans.ts";
import { useWorkflowRunner } from "#shared/workflows/engine.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";
import { ec2WithOneOpenPort } from "#test/helpers/aws-mock.ts";

const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);
const ACCOUNT = "210987654321";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const gd = mockClient(GuardDutyClient);

let t: Awaited<ReturnType<typeof newTenant>>;
let scanId: string;
let sealedWhileRunning: string | undefined;

beforeAll(async () => {
  t = await newTenant("cs-aws");
  sts.on(GetCallerIdentityCommand).callsFake(async () => {
    // Validate runs while the scan runs: the keys are sealed on the scan now.
    sealedWhileRunning = await getSealedCredentials(t.tenantId, scanId);
    return { Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/auditor` };
  });
  ec2WithOneOpenPort(ec2, { id: "sg-0000000000000000c", name: "rdp", port: 3389 });
  gd.on(ListDetectorsCommand).rejects(
    Object.assign(new Error("not authorized to perform: guardduty:ListDetectors"), { name: "AccessDeniedException" }),
  );

  const res = await call("POST", "/api/v1/scan/start", {
    token: t.token,
    ip: freshIp(),
    body: {
      cloud_provider: "aws",
      credentials: { access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: SECRET, region: "us-east-1" },
      scan_config: { services: ["ec2", "guardduty"], regions: ["us-east-1"] },
    },
  });
  expect(res.status, res.text).toBe(200);
  expect(res.body).toMatchObject({ status: "initiated", services_to_scan: ["ec2", "guardduty"] });
  expect(res.text).not.toContain(SECRET);
  scanId = res.body.scan_id;
  await runner.settled(scanId);
}, 120_000);

describe("a scan with access keys", () => {
  it("keeps the keys sealed while it runs and deletes them at its end; never answers or audits them", async () => {
    expect(sealedWhileRunning).toMatch(/^v1\./);
    expect(sealedWhileRunning).not.toContain(SECRET);
    expect(await getSealedCredentials(t.tenantId, scanId)).toBeUndefined();
    const audit = await readAudit(t.tenantId, new Date(Date.now() - 600_000), new Date());
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(audit.find((r) => r.event_type === "cloud_scan_started")?.details).toMatchObject({
      credential_type: "access_key",
    });
  });

  it("skips the refused service with its reason and judges the rest", async () => {
    const status = await call("GET", `/api/v1/scan/status/${scanId}`, { token: t.token });
    expect(status.body).toMatchObject({ status: "completed", progress: 100 });
    expect(status.body.services_skipped).toEqual([
      {
        service: "guardduty",
        region: "us-east-1",
        reason: "AccessDeniedException: the credentials may not read guardduty in us-east-1",
      },
    ]);
    const results = await call("GET", `/api/v1/scan/results/${scanId}`, { token: t.token });
    const checks = results.body.findings.map((f: any) => f.finding_id);
    expect(checks).toContain("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389");
    // GuardDuty was never read: no "GuardDuty is off" finding is made up for it.
    expect(results.body.findings.filter((f: any) => f.service === "guardduty")).toEqual([]);
    expect(JSON.stringify(results.body)).not.toContain(SECRET);
  });
});
