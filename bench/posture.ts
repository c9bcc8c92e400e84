/**
 * Posture benchmark: how fast the checks judge an account. Generates a 10,000-resource inventory
 * (a seeded mix of compliant and misconfigured resources across four regions), then reports
 * resources evaluated per second by `evaluate` on the main thread (one core), the cost of parsing
 * the inventory, and the time to scan the demo account. Figures are returned, never asserted:
 * timing assertions flake on shared machines.
 *
 * Run alone: `npx tsx bench/posture.ts`.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ALL_CHECKS } from "#shared/posture/checks/index.ts";
import { loadDemoAccount } from "#shared/posture/demo-account.ts";
import { evaluate } from "#shared/posture/evaluate.ts";
import { countResources, type InventoryInput, parseInventory } from "#shared/posture/inventory.ts";
import { pct } from "./stats.ts";

const ACCOUNT = "210987654321";
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
const COLLECTED_AT = "2026-03-02T12:00:00.000Z";

/** A small seeded generator (mulberry32), so every run judges the same inventory. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const daysAgo = (d: number) => new Date(Date.parse(COLLECTED_AT) - d * 86_400_000).toISOString();

/**
 * An inventory of exactly `total` resources as `countResources` counts them. Shares per kind follow a
 * mid-size account: many volumes, groups and instances; fewer databases and keys.
 */
export function generateInventory(total = 10_000, seed = 42): InventoryInput {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const chance = (p: number) => rnd() < p;
  const region = () => pick(REGIONS);
  // The fixed part: the account itself, per region a VPC and a trail, Config recorders in two
  // regions and GuardDuty detectors in three, and 50 managed policies.
  const fixed = 1 + REGIONS.length * 2 + 2 + 3 + 50;
  const shares = {
    buckets: 0.12,
    users: 0.05,
    sgs: 0.14,
    instances: 0.14,
    volumes: 0.2,
    snapshots: 0.08,
    images: 0.02,
    dbs: 0.04,
    keys: 0.04,
    functions: 0.1,
  };
  const rest = total - fixed;
  const n = Object.fromEntries(Object.entries(shares).map(([k, s]) => [k, Math.floor(rest * s)])) as Record<
    keyof typeof shares,
    number
  >;
  // Users come with one access key each (two resources); roles absorb the rounding remainder.
  const counted = Object.entries(n).reduce((sum, [k, v]) => sum + (k === "users" ? 2 * v : v), 0);
  const roles = rest - counted;

  const openSsh = { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] };
  const https = { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] };
  const readDoc = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b-1/*" }],
  };
  const adminDoc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

  return {
    schemaVersion: 1,
    collectedAt: COLLECTED_AT,
    regions: REGIONS,
    account: {
      AccountId: ACCOUNT,
      PasswordPolicy: {
        MinimumPasswordLength: 12,
        RequireSymbols: true,
        RequireNumbers: true,
        PasswordReusePrevention: 24,
      },
      PublicAccessBlockConfiguration: null,
      CredentialReport: [
        {
          user: "<root_account>",
          arn: `arn:aws:iam::${ACCOUNT}:root`,
          mfa_active: "true",
          access_key_1_active: "false",
          access_key_2_active: "false",
          password_last_used: daysAgo(90),
        },
      ],
      AlternateContacts: [],
    },
    iam: {
      UserDetailList: Array.from({ length: n.users }, (_, i) => ({
        UserName: `user-${i}`,
        Arn: `arn:aws:iam::${ACCOUNT}:user/user-${i}`,
        CreateDate: daysAgo(500),
        PasswordLastUsed: daysAgo(Math.floor(rnd() * 90)),
        LoginProfile: chance(0.6) ? { CreateDate: daysAgo(500) } : null,
        MFADevices: chance(0.8) ? [{ SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/user-${i}` }] : [],
        AccessKeys: [
          {
            AccessKeyId: `AKIABENCH${String(i).padStart(11, "0")}`,
            Status: "Active",
            CreateDate: daysAgo(Math.floor(rnd() * 200)),
            AccessKeyLastUsed: { LastUsedDate: daysAgo(Math.floor(rnd() * 80)) },
          },
        ],
        AttachedManagedPolicies: chance(0.1)
          ? [{ PolicyName: "p-0", PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p-0` }]
          : [],
      })),
      RoleDetailList: Array.from({ length: roles }, (_, i) => ({
        RoleName: `role-${i}`,
        Arn: `arn:aws:iam::${ACCOUNT}:role/role-${i}`,
        RolePolicyList: [{ PolicyName: "inline", PolicyDocument: chance(0.02) ? adminDoc : readDoc }],
      })),
      Policies: Array.from({ length: 50 }, (_, i) => ({
        PolicyName: `p-${i}`,
        Arn: `arn:aws:iam::${ACCOUNT}:policy/p-${i}`,
        AttachmentCount: 1,
        PolicyVersionList: [
          { VersionId: "v1", IsDefaultVersion: true, Document: JSON.stringify(i === 7 ? adminDoc : readDoc) },
        ],
      })),
      VirtualMFADevices: [],
    },
    s3: {
      Buckets: Array.from({ length: n.buckets }, (_, i) => ({
        Name: `bench-bucket-${i}`,
        region: region(),
        Acl: {
          Grants: chance(0.03)
            ? [
                {
                  Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" },
                  Permission: "READ",
                },
              ]
            : [],
        },
        Policy: chance(0.5)
          ? JSON.stringify({
              Statement: [
                {
                  Effect: "Deny",
                  Principal: "*",
                  Action: "s3:*",
                  Resource: `arn:aws:s3:::bench-bucket-${i}/*`,
                  Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
              ],
            })
          : null,
        PublicAccessBlockConfiguration: chance(0.7)
          ? { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }
          : null,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: chance(0.5) ? "aws:kms" : "AES256" } }],
        },
        Versioning: chance(0.6) ? { Status: "Enabled" } : {},
        Logging: chance(0.4) ? { LoggingEnabled: { TargetBucket: "logs" } } : {},
      })),
    },
    cloudtrail: {
      Trails: REGIONS.map((r, i) => ({
        Name: `trail-${i}`,
        TrailARN: `arn:aws:cloudtrail:${r}:${ACCOUNT}:trail/trail-${i}`,
        HomeRegion: r,
        region: r,
        IsMultiRegionTrail: i === 0,
        LogFileValidationEnabled: i !== 2,
        S3BucketName: "bench-bucket-0",
        Status: { IsLogging: i !== 3 },
        EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }],
      })),
    },
    config: {
      ConfigurationRecorders: REGIONS.slice(0, 2).map((r) => ({ region: r, name: "default" })),
      ConfigurationRecordersStatus: REGIONS.slice(0, 2).map((r) => ({ region: r, name: "default", recording: true })),
    },
    guardduty: {
      Detectors: REGIONS.slice(0, 3).map((r, i) => ({ region: r, DetectorId: `d${i}`, Status: "ENABLED" as const })),
    },
    ec2: {
      SecurityGroups: Array.from({ length: n.sgs }, (_, i) => ({
        region: region(),
        GroupId: `sg-${i.toString(16).padStart(17, "0")}`,
        GroupName: i % 25 === 0 ? "default" : `sg-${i}`,
        IpPermissions: chance(0.05) ? [openSsh, https] : [https],
        IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      })),
      Instances: Array.from({ length: n.instances }, (_, i) => ({
        region: region(),
        InstanceId: `i-${i.toString(16).padStart(17, "0")}`,
        State: { Name: "running" },
        PublicIpAddress: chance(0.2) ? "203.0.113.7" : undefined,
        MetadataOptions: {
          HttpTokens: chance(0.7) ? ("required" as const) : ("optional" as const),
          HttpEndpoint: "enabled" as const,
        },
      })),
      Volumes: Array.from({ length: n.volumes }, (_, i) => ({
        region: region(),
        VolumeId: `vol-${i.toString(16).padStart(17, "0")}`,
        Encrypted: chance(0.85),
      })),
      Snapshots: Array.from({ length: n.snapshots }, (_, i) => ({
        region: region(),
        SnapshotId: `snap-${i.toString(16).padStart(17, "0")}`,
        Encrypted: chance(0.85),
        CreateVolumePermissions: chance(0.01) ? [{ Group: "all" as const }] : [],
      })),
      Images: Array.from({ length: n.images }, (_, i) => ({
        region: region(),
        ImageId: `ami-${i.toString(16).padStart(17, "0")}`,
        Public: chance(0.02),
      })),
      EbsEncryptionByDefault: REGIONS.map((r, i) => ({ region: r, EbsEncryptionByDefault: i % 2 === 0 })),
      Vpcs: REGIONS.map((r, i) => ({ region: r, VpcId: `vpc-${i}` })),
      FlowLogs: [{ region: REGIONS[0] ?? "us-east-1", FlowLogId: "fl-0", ResourceId: "vpc-0" }],
    },
    rds: {
      DBInstances: Array.from({ length: n.dbs }, (_, i) => {
        const r = region();
        return {
          region: r,
          DBInstanceIdentifier: `db-${i}`,
          DBInstanceArn: `arn:aws:rds:${r}:${ACCOUNT}:db:db-${i}`,
          PubliclyAccessible: chance(0.05),
          StorageEncrypted: chance(0.9),
          BackupRetentionPeriod: chance(0.9) ? 7 : 0,
          DeletionProtection: chance(0.5),
          AutoMinorVersionUpgrade: chance(0.8),
        };
      }),
    },
    kms: {
      Keys: Array.from({ length: n.keys }, (_, i) => {
        const r = region();
        return {
          region: r,
          KeyId: `key-${i}`,
          Arn: `arn:aws:kms:${r}:${ACCOUNT}:key/key-${i}`,
          KeyManager: chance(0.8) ? ("CUSTOMER" as const) : ("AWS" as const),
          KeyState: "Enabled",
          KeyRotationEnabled: chance(0.7),
          Policy: JSON.stringify({
            Statement: [
              { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
            ],
          }),
        };
      }),
    },
    lambda: {
      Functions: Array.from({ length: n.functions }, (_, i) => {
        const r = region();
        return {
          region: r,
          FunctionName: `fn-${i}`,
          FunctionArn: `arn:aws:lambda:${r}:${ACCOUNT}:function:fn-${i}`,
          Runtime: pick(["nodejs22.x", "nodejs20.x", "python3.12", "python3.8", "java21"]),
          FunctionUrlConfigs: chance(0.1)
            ? [
                {
                  FunctionUrl: `https://fn-${i}.lambda-url.${r}.on.aws/`,
                  AuthType: chance(0.3) ? ("NONE" as const) : ("AWS_IAM" as const),
                },
              ]
            : [],
        };
      }),
    },
  };
}

function timeMs(fn: () => void, runs: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

export async function benchPosture(): Promise<string[]> {
  // The demo first, while the heap is small: its figure is the latency of one ordinary scan.
  for (let i = 0; i < 20; i++) evaluate(loadDemoAccount());
  const demoMs = timeMs(() => evaluate(loadDemoAccount()), 200);

  const raw = generateInventory(10_000);
  const inv = parseInventory(raw);
  const resources = countResources(inv);
  for (let i = 0; i < 3; i++) evaluate(inv); // warm the JIT before timing
  const evalSamples = timeMs(() => evaluate(inv), 21);
  const evalMs = pct(evalSamples, 50);
  const bestMs = Math.min(...evalSamples);
  const parseMs = pct(
    timeMs(() => parseInventory(raw), 9),
    50,
  );
  const report = evaluate(inv);

  const perSecond = (ms: number) => Math.round(resources / (ms / 1000)).toLocaleString("en-US");
  return [
    `Posture: ${ALL_CHECKS.length} checks over ${resources.toLocaleString("en-US")} resources (${REGIONS.length} regions), one core`,
    `  evaluate            median ${evalMs.toFixed(1)} ms  → ${perSecond(evalMs)} resources/s (best ${bestMs.toFixed(1)} ms → ${perSecond(bestMs)}/s; ${report.findings.length.toLocaleString("en-US")} results, ${report.summary.failed.toLocaleString("en-US")} FAIL, score ${report.score})`,
    `  parse + evaluate    median ${(parseMs + evalMs).toFixed(1)} ms  → ${perSecond(parseMs + evalMs)} resources/s (parse alone ${parseMs.toFixed(1)} ms)`,
    `  demo account scan   p50 ${pct(demoMs, 50).toFixed(2)} ms, p99 ${pct(demoMs, 99).toFixed(2)} ms (parse + evaluate, ${countResources(loadDemoAccount())} resources)`,
  ];
}

interface ApiHelpers {
  call: (method: string, path: string, opts?: Record<string, unknown>) => Promise<{ status: number; body: any }>;
  newTenant: (label?: string) => Promise<{ token: string }>;
  freshIp: () => string;
}

/**
 * The whole demo scan through the API and the cloud-scan state machine (local runner, tasks in
 * process, DynamoDB Local): POST /scan/start to completion, wall time, then the results read.
 */
export async function benchCloudScan(api: ApiHelpers): Promise<string[]> {
  const [{ createLocalRunner }, { useWorkflowRunner }] = await Promise.all([
    import("#infra/local/workflows/runner-local.ts"),
    import("#shared/workflows/engine.ts"),
  ]);
  const runner = createLocalRunner({ root: resolve(import.meta.dirname, "..") });
  useWorkflowRunner(runner);
  const tenant = await api.newTenant("bench-cloudscan");
  const walls: number[] = [];
  let findings = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await api.call("POST", "/api/v1/scan/start", {
      token: tenant.token,
      ip: api.freshIp(),
      body: {
        cloud_provider: "aws",
        credentials: { demo: true },
        scan_config: { regions: ["us-east-1", "eu-west-1"] },
      },
    });
    if (res.status !== 200) throw new Error(`scan start answered ${res.status}`);
    await runner.settled(res.body.scan_id);
    walls.push(performance.now() - t0);
    const results = await api.call("GET", `/api/v1/scan/results/${res.body.scan_id}`, { token: tenant.token });
    findings = results.body.total;
  }
  return [
    `  demo scan, end to end (API → state machine: validate, 18 service × region units as a Map of at most 8, evaluate, alerts, notify; DynamoDB Local)`,
    `                      p50 ${pct(walls, 50).toFixed(0)} ms, max ${Math.max(...walls).toFixed(0)} ms over ${walls.length} scans (${findings} failed findings each)`,
  ];
}

/** `npm run bench`'s call: the pure figures, then the end-to-end scan. */
export async function benchPostureAll(api: ApiHelpers): Promise<void> {
  console.log(`\n${(await benchPosture()).join("\n")}`);
  console.log((await benchCloudScan(api)).join("\n"));
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  benchPosture().then(
    (lines) => console.log(lines.join("\n")),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
