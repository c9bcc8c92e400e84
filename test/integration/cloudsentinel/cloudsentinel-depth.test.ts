/**
 * `scan_config.deep_scan` changes what a scan reads, through the routes (demo account, real state
 * machine, DynamoDB Local): a quick scan (the default) leaves out the deep-only reads — the IAM
 * credential report and each snapshot's sharing — and the checks they feed answer MANUAL, never
 * PASS; a deep scan reads them and judges. Scans start through the route; the stored verdicts are
 * read from the area (the results route lists failures only).
 */
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);
const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");
const { findingsOf } = await import("#shared/posture/scans.ts");

const V1 = "/api/v1";
let t: Awaited<ReturnType<typeof newTenant>>;

async function findings(deep: boolean | undefined) {
  const res = await call("POST", `${V1}/scan/start`, {
    token: t.token,
    ip: freshIp(),
    body: {
      cloud_provider: "aws",
      credentials: { demo: true },
      scan_config: {
        services: ["iam", "ec2"],
        regions: ["us-east-1"],
        ...(deep === undefined ? {} : { deep_scan: deep }),
      },
    },
  });
  expect(res.status, res.text).toBe(200);
  await runner.settled(res.body.scan_id);
  // The results route answers failures only: every stored verdict (PASS and MANUAL too) is read here.
  return findingsOf(t.tenantId, res.body.scan_id);
}

let quick: Awaited<ReturnType<typeof findings>>;
let deep: Awaited<ReturnType<typeof findings>>;

beforeAll(async () => {
  t = await newTenant("cs-depth");
  quick = await findings(undefined);
  deep = await findings(true);
}, 120_000);

const of = (list: typeof quick, id: string) => list.filter((f) => f.finding_id === id);

describe("deep_scan", () => {
  it("is off by default: the credential report is not read, so root usage stays MANUAL", () => {
    const root = of(quick, "iam_avoid_root_usage");
    expect(root).toHaveLength(1);
    expect(root[0]).toMatchObject({ status: "MANUAL", description: expect.stringContaining("credential report") });
  });

  it("reads the credential report and each snapshot's sharing when on", () => {
    expect(of(deep, "iam_avoid_root_usage").map((f) => f.status)).not.toContain("MANUAL");
    const snapshots = of(deep, "ec2_ebs_public_snapshot");
    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots.every((f) => f.status === "PASS" || f.status === "FAIL")).toBe(true);
    expect(of(quick, "ec2_ebs_public_snapshot").every((f) => f.status === "MANUAL")).toBe(true);
  });

  it("keeps the headline checks in a quick scan: root MFA and SSH open to the world still fail", () => {
    expect(of(quick, "iam_root_mfa_enabled").map((f) => f.status)).toEqual(["FAIL"]);
    expect(of(quick, "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22").map((f) => f.status)).toContain(
      "FAIL",
    );
  });
});
