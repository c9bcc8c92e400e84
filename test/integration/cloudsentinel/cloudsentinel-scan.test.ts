/**
 * Cloudsentinel scans end to end, on the demo account through the real state machine (the
 * synthesized cloud-scan definition run by aws-local-stepfunctions, tasks in process, DynamoDB
 * Local): a demo scan finds each planted misconfiguration with its severity and framework ids,
 * opens alerts, and a second scan of the fixed account resolves them; the webhooks arrive signed.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The receiver listens on 127.0.0.1: the operator's private-address switch, before config loads.
process.env.WARDEN_WEBHOOK_ALLOW_PRIVATE = "true";
const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);
const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");
const { configureWebhook } = await import("#shared/webhooks/settings.ts");
const { verifyWebhookSignature } = await import("#shared/webhooks/signing.ts");
const { getSealedCredentials } = await import("#shared/posture/db/scans.ts");
const { readAudit } = await import("#shared/audit/trail.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const V1 = "/api/v1";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

function receiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.end("ok");
    });
  });
  return {
    received,
    start: () =>
      new Promise<string>((ok) =>
        server.listen(0, "127.0.0.1", () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`)),
      ),
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

async function scan(t: Tenant, credentials: Record<string, unknown>, scanConfig?: Record<string, unknown>) {
  const res = await call("POST", `${V1}/scan/start`, {
    token: t.token,
    ip: freshIp(),
    body: { cloud_provider: "aws", credentials, ...(scanConfig ? { scan_config: scanConfig } : {}) },
  });
  expect(res.status, res.text).toBe(200);
  await runner.settled(res.body.scan_id);
  return res.body.scan_id as string;
}

const hook = receiver();
let acme: Tenant;
let globex: Tenant;
let secret: string;
let first: string;
let findings: any[];

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("cs-acme"), newTenant("cs-globex")]);
  const url = await hook.start();
  secret = (
    await configureWebhook(
      acme.tenantId,
      { url, enabled: true, retryCount: 0, timeoutSeconds: 2 },
      { allowPrivate: true },
    )
  ).secret as string;
  first = await scan(acme, { demo: true }, { regions: ["us-east-1", "eu-west-1"] });
  const res = await call("GET", `${V1}/scan/results/${first}`, { token: acme.token, query: { limit: "500" } });
  expect(res.status).toBe(200);
  findings = res.body.findings;
}, 120_000);
afterAll(() => hook.stop());

const planted = (checkId: string, resource: string) =>
  findings.find((f) => f.finding_id === checkId && f.resource_id.includes(resource));

describe("a demo scan", () => {
  it("starts with the spec's answer and completes, with progress at 100", async () => {
    const status = await call("GET", `${V1}/scan/status/${first}`, { token: acme.token });
    expect(status.body).toMatchObject({
      scan_id: first,
      status: "completed",
      progress: 100,
      services_remaining: [],
      services_skipped: [],
    });
    expect(status.body.services_completed).toEqual(expect.arrayContaining(["s3", "iam", "ec2", "kms", "cloudtrail"]));
    expect(status.body.findings_so_far).toBe(findings.length);
  });

  it("finds each planted misconfiguration with its severity and framework ids", () => {
    expect(planted("s3_bucket_public_access", "acme-public-assets")).toMatchObject({
      severity: "critical",
      service: "s3",
      region: "us-east-1",
      resource_type: "AwsS3Bucket",
      compliance_violations: expect.arrayContaining(["FSBP-S3.2"]),
    });
    expect(planted("s3_bucket_level_public_access_block", "acme-public-assets")?.compliance_violations).toEqual(
      expect.arrayContaining(["CIS-2.1.4", "FSBP-S3.8"]),
    );
    expect(planted("iam_root_mfa_enabled", "root")).toMatchObject({
      severity: "critical",
      compliance_violations: expect.arrayContaining(["CIS-1.5", "FSBP-IAM.9"]),
    });
    expect(
      planted("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "sg-0a1b2c3d4e5f60001"),
    ).toMatchObject({ severity: "high", compliance_violations: expect.arrayContaining(["CIS-5.2", "FSBP-EC2.13"]) });
    // No trail at all: CloudTrail fails in every scanned region.
    expect(
      findings
        .filter((f) => f.finding_id === "cloudtrail_multi_region_enabled")
        .map((f) => f.region)
        .sort(),
    ).toEqual(["eu-west-1", "us-east-1"]);
    expect(planted("ec2_ebs_volume_encryption", "vol-0f1e2d3c4b5a60002")).toMatchObject({
      severity: "high",
      compliance_violations: expect.arrayContaining(["CIS-2.2.1", "FSBP-EC2.3"]),
    });
    expect(planted("iam_rotate_access_key_90_days", "AKIADEMOCIDEPLOYER01")).toMatchObject({
      severity: "medium",
      compliance_violations: expect.arrayContaining(["CIS-1.14", "FSBP-IAM.3"]),
    });
    expect(planted("kms_cmk_rotation_enabled", "1234abcd")).toMatchObject({
      severity: "high",
      compliance_violations: expect.arrayContaining(["CIS-3.6", "FSBP-KMS.4"]),
    });
    expect(planted("s3_bucket_public_access", "acme-public-assets").remediation).toMatchObject({
      priority: "immediate",
      steps: expect.arrayContaining([expect.stringMatching(/^CLI: aws /)]),
    });
  });

  it("answers results with the spec's summary, filtered and paged", async () => {
    const page = await call("GET", `${V1}/scan/results/${first}`, {
      token: acme.token,
      query: { severity: "critical", skip: "0", limit: "2" },
    });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ scan_id: first, skip: 0, limit: 2 });
    expect(page.body.findings.length).toBeLessThanOrEqual(2);
    expect(page.body.findings.every((f: any) => f.severity === "critical")).toBe(true);
    expect(page.body.total).toBe(findings.filter((f) => f.severity === "critical").length);
    const s = page.body.scan_summary;
    expect(s.total_findings).toBe(findings.length);
    expect(Object.values(s.by_severity as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(findings.length);
    expect(s.total_resources).toBeGreaterThan(10);
  });

  it("lists the scan, and opens one alert per failing finding", async () => {
    const list = await call("GET", `${V1}/scan/scans`, { token: acme.token, query: { status: "completed" } });
    expect(list.body.items[0]).toMatchObject({
      id: first,
      cloud_provider: "aws",
      status: "completed",
      account_id: "123456789012",
    });
    const alerts = await call("GET", `${V1}/alerts/`, { token: acme.token, query: { limit: "500" } });
    expect(alerts.body.total).toBe(findings.length);
    expect(alerts.body.items.every((a: any) => a.status === "open" && a.scan_id === first)).toBe(true);
  });

  it("deletes nothing it never had: a demo scan stores no credentials; keys are sealed only while a scan runs", async () => {
    expect(await getSealedCredentials(acme.tenantId, first)).toBeUndefined();
    const audit = await readAudit(acme.tenantId, new Date(Date.now() - 600_000), new Date());
    const started = audit.find((r: any) => r.event_type === "cloud_scan_started");
    expect(started?.details).toMatchObject({ credential_type: "demo" });
  });

  it("sends alert.created and scan.completed, signed with the tenant's secret, with the spec's payload", () => {
    const events = hook.received.map((r) => ({ ...r, json: JSON.parse(r.body) }));
    const completed = events.find((e) => e.json.event === "scan.completed");
    expect(completed?.json).toMatchObject({
      event: "scan.completed",
      data: { scan_id: first, cloud_provider: "aws", findings_count: findings.length },
    });
    expect(completed?.json.data.critical_findings).toBe(findings.filter((f) => f.severity === "critical").length);
    expect(typeof completed?.json.timestamp).toBe("string");
    for (const e of events) {
      expect(verifyWebhookSignature(String(e.headers["x-webhook-signature"]), e.body, secret)).toBe(true);
    }
    expect(events.filter((e) => e.json.event === "alert.created")).toHaveLength(findings.length);
  });
});

describe("a second scan of the fixed account", () => {
  let second: string;
  let resolvedIds: number[];
  beforeAll(async () => {
    hook.received.length = 0;
    // One alert muted before the fix: it stays muted.
    const open = (await call("GET", `${V1}/alerts/`, { token: acme.token, query: { limit: "500" } })).body.items;
    const muted = open.find((a: any) => a.resource_id.includes("vol-0f1e2d3c4b5a60002"));
    const res = await call("PATCH", `${V1}/alerts/${muted.id}/status`, {
      token: acme.token,
      body: {
        status: "suppressed",
        reason: "volume is being replaced",
        expires_at: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(res.status, res.text).toBe(200);
    second = await scan(acme, { demo: "fixed" }, { regions: ["us-east-1", "eu-west-1"] });
    resolvedIds = hook.received
      .map((r) => JSON.parse(r.body))
      .filter((e) => e.event === "alert.resolved")
      .map((e) => e.data.alert_id);
  }, 120_000);

  it("resolves the planted problems' alerts and keeps the muted one muted", async () => {
    const alerts = (await call("GET", `${V1}/alerts/`, { token: acme.token, query: { limit: "500" } })).body.items;
    const byResource = (s: string) => alerts.filter((a: any) => a.resource_id.includes(s));
    const statusOf = (check: string, resource: string) =>
      alerts.find((a: any) => a.finding_id === check && a.resource_id.includes(resource))?.status;
    expect(statusOf("s3_bucket_public_access", "acme-public-assets")).toBe("resolved");
    expect(statusOf("s3_bucket_level_public_access_block", "acme-public-assets")).toBe("resolved");
    expect(statusOf("iam_root_mfa_enabled", "root")).toBe("resolved");
    expect(statusOf("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "sg-0a1b2c3d4e5f60001")).toBe(
      "resolved",
    );
    expect(statusOf("cloudtrail_multi_region_enabled", "us-east-1")).toBe("resolved");
    expect(statusOf("iam_rotate_access_key_90_days", "AKIADEMOCIDEPLOYER01")).toBe("resolved");
    expect(statusOf("kms_cmk_rotation_enabled", "1234abcd")).toBe("resolved");
    // Not fixed by the owner: still open, seen by the second scan.
    expect(alerts.find((a: any) => a.finding_id === "s3_bucket_object_versioning")).toMatchObject({
      status: "open",
      scan_id: second,
    });
    // Muted before the fix: stays muted.
    expect(statusOf("ec2_ebs_volume_encryption", "vol-0f1e2d3c4b5a60002")).toBe("suppressed");
    expect(byResource("vol-0f1e2d3c4b5a60002")).toHaveLength(1);
    expect(resolvedIds.length).toBeGreaterThan(3);
    const results = await call("GET", `${V1}/scan/results/${second}`, { token: acme.token, query: { limit: "500" } });
    expect(results.body.findings.length).toBeLessThan(findings.length);
    expect(results.body.scan_summary.security_score).toBeGreaterThan(0);
  });

  it("answers stats, dashboard, score and compliance from the stored scans and alerts", async () => {
    const stats = await call("GET", `${V1}/alerts/stats`, { token: acme.token });
    expect(stats.body.by_status.resolved).toBe(resolvedIds.length);
    expect(stats.body.trends.resolved_today).toBe(resolvedIds.length);
    const dash = await call("GET", `${V1}/reports/dashboard`, { token: acme.token });
    expect(dash.body).toMatchObject({ total_scans: 2 });
    expect(dash.body.recent_scans.map((s: any) => s.id)).toEqual([second, first]);
    expect(Object.keys(dash.body.compliance_summary)).toEqual(expect.arrayContaining(["cis", "nist", "iso27001"]));
    const score = await call("GET", `${V1}/reports/security-score`, { token: acme.token });
    expect(score.body.by_provider.aws.trend).toBe("improving");
    expect(score.body.overall_score).toBeGreaterThan(0);
    const cis = await call("GET", `${V1}/reports/compliance`, { token: acme.token, query: { framework: "cis" } });
    expect(cis.body.scan_id).toBe(second);
    expect(cis.body.passed_controls + cis.body.failed_controls).toBe(cis.body.total_controls);
    expect(cis.body.controls.find((c: any) => c.control_id === "CIS-1.5")?.status).toBe("passed");
  });
});

describe("bad input, permissions and tenants", () => {
  it("refuses an unknown provider, a bad region and missing credentials with 422 naming the field", async () => {
    const bad = async (body: unknown) => call("POST", `${V1}/scan/start`, { token: globex.token, ip: freshIp(), body });
    const provider = await bad({ cloud_provider: "oracle", credentials: { demo: true } });
    expect(provider.status).toBe(422);
    expect(provider.body.detail[0].loc).toEqual(["body", "cloud_provider"]);
    const region = await bad({
      cloud_provider: "aws",
      credentials: { demo: true },
      scan_config: { regions: ["mars-1"] },
    });
    expect(region.status).toBe(422);
    expect(region.body.detail[0].loc).toEqual(["body", "scan_config", "regions", 0]);
    const none = await bad({ cloud_provider: "aws", credentials: {} });
    expect(none.status).toBe(422);
    expect(none.body.detail[0].loc).toEqual(["body", "credentials"]);
    const half = await bad({ cloud_provider: "aws", credentials: { access_key_id: "AKIAABCDEFGHIJKLMNOP" } });
    expect(half.body.detail[0].loc).toEqual(["body", "credentials", "secret_access_key"]);
    const noExternalId = await bad({
      cloud_provider: "aws",
      credentials: { role_arn: "arn:aws:iam::123456789012:role/WardenSecurityAudit" },
    });
    expect(noExternalId.status).toBe(422);
    expect(noExternalId.body.detail[0].loc).toEqual(["body", "credentials", "external_id"]);
  });

  it("answers 400 with a clear message for Azure and GCP, listed as not available", async () => {
    const providers = await call("GET", `${V1}/scan/providers`, { token: globex.token });
    expect(providers.body.aws).toMatchObject({ available: true, name: "Amazon Web Services" });
    expect(providers.body.azure.available).toBe(false);
    const res = await call("POST", `${V1}/scan/start`, {
      token: globex.token,
      ip: freshIp(),
      body: { cloud_provider: "azure", credentials: { demo: true } },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/azure.*not available/i);
  });

  it("answers 401 without a token and 404 for another tenant's scan and alert", async () => {
    expect((await call("GET", `${V1}/scan/status/${first}`)).status).toBe(401);
    const other = await call("GET", `${V1}/scan/status/${first}`, { token: globex.token });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ detail: "Scan not found" });
    expect((await call("GET", `${V1}/scan/results/${first}`, { token: globex.token })).status).toBe(404);
    const res = await call("PATCH", `${V1}/alerts/1/status`, { token: globex.token, body: { status: "acknowledged" } });
    expect(res.status).toBe(404);
  });
});
