/**
 * Scans of the platform's own AWS account with the scanner's own credentials
 * (`credentials: {"platform": true}`), through the route and the real state machine. AWS is
 * answered by aws-sdk-client-mock (the mock for the AWS control planes, which cannot run here).
 * The scanner's own credentials are the SDK's default provider chain — in Lambda the function
 * role's keys in its environment; here the same variables, set to sentinels.
 *
 * Only a tenant the deployment names (WARDEN_PLATFORM_SCAN_TENANTS, from `-c platformScanTenants`)
 * by id and creation time may start one; every other tenant — also one whose id is listed with
 * another creation time, or bare — gets a 403 saying why, and nothing is counted or stored. The
 * allowed scan assumes no role, seals nothing, stores the account from GetCallerIdentity, and no
 * stored item holds the scanner's credentials.
 */
import { resolve } from "node:path";
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeysCommand,
} from "@aws-sdk/client-kms";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalRunner } from "#infra/local/workflows/runner-local.ts";
import { readAudit } from "#shared/audit/trail.ts";
import { getSealedCredentials } from "#shared/posture/db/scans.ts";
import { PLATFORM_SCAN_ENV } from "#shared/posture/platform.ts";
import { ProvidersView } from "#shared/posture/views.ts";
import { db, tableName } from "#shared/table/client.ts";
import { getTenant } from "#shared/tenancy/tenants.ts";
import { useWorkflowRunner } from "#shared/workflows/engine.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";
import { ec2WithOneOpenPort } from "#test/helpers/aws-mock.ts";

const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);

// The scanner's own credentials, as Lambda hands a function its role's session.
const OWN = {
  accessKeyId: "ASIAPLATFORMSCANNER7",
  secretAccessKey: "platform-scanner-secret-7Hq2vXbN0pLm4RtY8sWe",
  sessionToken: "platform-scanner-session-token-Zk3Jd9Fh2Lq7Wc5Nv1Bx",
};
const saved = {
  id: process.env.AWS_ACCESS_KEY_ID,
  secret: process.env.AWS_SECRET_ACCESS_KEY,
  token: process.env.AWS_SESSION_TOKEN,
  allow: process.env[PLATFORM_SCAN_ENV],
};
process.env.AWS_ACCESS_KEY_ID = OWN.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = OWN.secretAccessKey;
process.env.AWS_SESSION_TOKEN = OWN.sessionToken;

const PLATFORM_ACCOUNT = "111122223333";
const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const kms = mockClient(KMSClient);

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let ops: Tenant;
let other: Tenant;
/** `ops` as the deployment names it: `<id>@<created_at>`. */
let opsEntry: string;
let scanId: string;
let usedCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
let sealedWhileRunning: string | undefined = "not read";
let dropTenantAtValidate = false;

const start = (t: Tenant, credentials: Record<string, unknown>) =>
  call("POST", "/api/v1/scan/start", {
    token: t.token,
    ip: freshIp(),
    body: {
      cloud_provider: "aws",
      credentials,
      scan_config: { services: ["ec2", "kms"], regions: ["us-east-1"] },
    },
  });

beforeAll(async () => {
  ops = await newTenant("platform-ops");
  other = await newTenant("platform-other");
  opsEntry = `${ops.tenantId}@${(await getTenant(ops.tenantId, true))?.createdAt}`;
  process.env[PLATFORM_SCAN_ENV] = `unrelated-tenant@2026-01-02T03:04:05.678Z, ${opsEntry}`;

  sts.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
    usedCredentials = await getClient().config.credentials();
    sealedWhileRunning = await getSealedCredentials(ops.tenantId, scanId);
    if (dropTenantAtValidate) process.env[PLATFORM_SCAN_ENV] = "";
    return {
      Account: PLATFORM_ACCOUNT,
      Arn: `arn:aws:sts::${PLATFORM_ACCOUNT}:assumed-role/warden-cloud-scan-validate/validate`,
    };
  });
  sts.on(AssumeRoleCommand).rejects(new Error("a platform scan must never assume a role"));
  ec2WithOneOpenPort(ec2, { id: "sg-0123456789abcdef0", name: "bastion", port: 22 });
  kms
    .on(ListKeysCommand)
    .resolves({ Keys: [{ KeyId: KEY_ID, KeyArn: `arn:aws:kms:us-east-1:${PLATFORM_ACCOUNT}:key/${KEY_ID}` }] });
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: KEY_ID,
      Arn: `arn:aws:kms:us-east-1:${PLATFORM_ACCOUNT}:key/${KEY_ID}`,
      KeyManager: "CUSTOMER",
      KeySpec: "SYMMETRIC_DEFAULT",
      KeyState: "Enabled",
    },
  });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: false });
  kms.on(GetKeyPolicyCommand).resolves({
    Policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    }),
  });

  const res = await start(ops, { platform: true });
  expect(res.status, res.text).toBe(200);
  scanId = res.body.scan_id;
  await runner.settled(scanId);
}, 120_000);

afterAll(() => {
  const restore = (key: string, value: string | undefined) => {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  };
  restore("AWS_ACCESS_KEY_ID", saved.id);
  restore("AWS_SECRET_ACCESS_KEY", saved.secret);
  restore("AWS_SESSION_TOKEN", saved.token);
  restore(PLATFORM_SCAN_ENV, saved.allow);
});

describe("a platform scan by the tenant the deployment names", () => {
  it("runs through the collectors on the scanner's own credentials, with no AssumeRole and nothing sealed", async () => {
    expect(usedCredentials).toMatchObject(OWN);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(sealedWhileRunning).toBeUndefined();
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
    expect(kms.commandCalls(GetKeyRotationStatusCommand)).toHaveLength(1);
  });

  it("stores the account GetCallerIdentity named, and judges what the collectors read", async () => {
    const status = await call("GET", `/api/v1/scan/status/${scanId}`, { token: ops.token });
    expect(status.body).toMatchObject({ status: "completed", progress: 100, services_skipped: [] });
    const scans = await call("GET", "/api/v1/scan/scans", { token: ops.token });
    expect(scans.body.items.find((s: { id: string }) => s.id === scanId)).toMatchObject({
      account_id: PLATFORM_ACCOUNT,
    });
    const results = await call("GET", `/api/v1/scan/results/${scanId}`, { token: ops.token });
    const failing = results.body.findings.map((f: { finding_id: string }) => f.finding_id);
    expect(failing).toContain("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22");
    expect(failing).toContain("kms_cmk_rotation_enabled");
  });

  it("audits the credential type, and no stored item holds the scanner's credentials", async () => {
    const audit = await readAudit(ops.tenantId, new Date(Date.now() - 600_000), new Date());
    expect(audit.find((r) => r.event_type === "cloud_scan_started")?.details).toMatchObject({
      scan_id: scanId,
      credential_type: "platform",
    });
    const items: Record<string, unknown>[] = [];
    let from: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: from }));
      items.push(...(page.Items ?? []));
      from = page.LastEvaluatedKey;
    } while (from);
    const dump = JSON.stringify(items);
    expect(dump).toContain(scanId);
    for (const secret of Object.values(OWN)) expect(dump).not.toContain(secret);
  });

  it("lists `platform` among the AWS credential types for this tenant only", async () => {
    const mine = ProvidersView.parse((await call("GET", "/api/v1/scan/providers", { token: ops.token })).body);
    const theirs = ProvidersView.parse((await call("GET", "/api/v1/scan/providers", { token: other.token })).body);
    expect(JSON.stringify(mine)).toContain('"platform"');
    expect(JSON.stringify(theirs)).not.toContain('"platform"');
  });
});

describe("a platform scan by any other tenant", () => {
  it("is refused with a 403 that says why, and starts nothing", async () => {
    const before = await call("GET", "/api/v1/scan/scans", { token: other.token });

    const res = await start(other, { platform: true });

    expect(res.status).toBe(403);
    expect(res.text).toContain("platformScanTenants");
    const after = await call("GET", "/api/v1/scan/scans", { token: other.token });
    expect(after.body.total).toBe(before.body.total);
  });

  it("is refused for every tenant when the deployment names none", async () => {
    process.env[PLATFORM_SCAN_ENV] = "";
    try {
      expect((await start(ops, { platform: true })).status).toBe(403);
    } finally {
      process.env[PLATFORM_SCAN_ENV] = opsEntry;
    }
  });

  it("is refused to a tenant listed by its id with another creation time, or by its id alone", async () => {
    // A typo in the list that happens to be another tenant's id: the creation time does not match.
    const createdAt = (await getTenant(other.tenantId, true))?.createdAt ?? "";
    const wrongTime = new Date(Date.parse(createdAt) + 1).toISOString();
    for (const listing of [`${other.tenantId}@${wrongTime}`, other.tenantId]) {
      process.env[PLATFORM_SCAN_ENV] = `${opsEntry}, ${listing}`;
      try {
        const res = await start(other, { platform: true });
        expect(res.status, listing).toBe(403);
        const providers = await call("GET", "/api/v1/scan/providers", { token: other.token });
        expect(JSON.stringify(ProvidersView.parse(providers.body)), listing).not.toContain('"platform"');
      } finally {
        process.env[PLATFORM_SCAN_ENV] = opsEntry;
      }
    }
    // Named as it is, the same tenant may.
    process.env[PLATFORM_SCAN_ENV] = `${opsEntry}, ${other.tenantId}@${createdAt}`;
    try {
      const providers = await call("GET", "/api/v1/scan/providers", { token: other.token });
      expect(JSON.stringify(ProvidersView.parse(providers.body))).toContain('"platform"');
    } finally {
      process.env[PLATFORM_SCAN_ENV] = opsEntry;
    }
  });

  it("cannot be combined with another credential type", async () => {
    const res = await start(ops, { platform: true, demo: true });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      expect.objectContaining({
        loc: ["body", "credentials"],
        msg: "only one credential type at a time (got demo, platform)",
      }),
    ]);
  });
});

describe("a tenant dropped from the deployment's list while its scan runs", () => {
  it("reads nothing more: the next step refuses, and the scan fails saying why", async () => {
    ec2.resetHistory();
    kms.resetHistory();
    // The operators redeploy without this tenant between Validate and Collect.
    dropTenantAtValidate = true;
    try {
      const res = await start(ops, { platform: true });
      expect(res.status, res.text).toBe(200);
      await runner.settled(res.body.scan_id);

      const status = await call("GET", `/api/v1/scan/status/${res.body.scan_id}`, { token: ops.token });
      expect(status.body.status).toBe("failed");
      expect(status.body.error).toContain("platformScanTenants");
      expect(ec2.calls()).toHaveLength(0);
      expect(kms.calls()).toHaveLength(0);
    } finally {
      dropTenantAtValidate = false;
      process.env[PLATFORM_SCAN_ENV] = opsEntry;
    }
  });
});
