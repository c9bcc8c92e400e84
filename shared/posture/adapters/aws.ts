/**
 * The AWS collectors (SDK v3): one function per service, reading one region (global services: the
 * home region), paginated, copying the API's answers into the inventory's shape (inventory.ts keeps
 * the API's own field names). Credentials: the request's access keys, a role in the customer's
 * account assumed with its external id (STS AssumeRole, one-hour session), or — for the platform's
 * own account (`platform: true`) — none given: the SDK's default provider chain, i.e. the function's
 * own role (aws-permissions.ts lists what that role may call). Every client retries
 * throttling itself (adaptive mode, 6 attempts); what is still throttled becomes `Throttled` (the
 * state machine retries the unit with jitter), a refusal (AccessDenied, an opt-in region) becomes
 * `UnitRefused` (the unit is skipped with the reason).
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
} from "@aws-sdk/client-config-service";
import {
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
  paginateDescribeFlowLogs,
  paginateDescribeInstances,
  paginateDescribeSecurityGroups,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
  paginateDescribeVpcs,
} from "@aws-sdk/client-ec2";
import { GetDetectorCommand, GuardDutyClient, paginateListDetectors } from "@aws-sdk/client-guardduty";
import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListAccountAliasesCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListAccessKeys,
  paginateListMFADevices,
  paginateListVirtualMFADevices,
} from "@aws-sdk/client-iam";
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  paginateListKeys,
} from "@aws-sdk/client-kms";
import {
  GetPolicyCommand,
  LambdaClient,
  ListFunctionUrlConfigsCommand,
  paginateListFunctions,
} from "@aws-sdk/client-lambda";
import { paginateDescribeDBInstances, RDSClient } from "@aws-sdk/client-rds";
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from "@aws-sdk/client-s3-control";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { parseCredentialReport } from "../inventory.ts";
import type { ScanService } from "../providers.ts";
import type { ScanCredentials } from "../schemas.ts";
import { type InventoryPart, type InventorySource, type ScanDepth, Throttled, UnitRefused } from "../source.ts";

interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const CLIENT = { maxAttempts: 6, retryMode: "adaptive" } as const;

/** SDK answers (Dates included) as the inventory stores them: JSON (ISO dates). */
const plain = <T>(v: T): unknown => JSON.parse(JSON.stringify(v ?? null));

const REFUSALS = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "AuthFailure",
  "OptInRequired",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "SubscriptionRequiredException",
]);
const THROTTLES = new Set([
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "RequestThrottled",
  "RequestThrottledException",
]);

/** Maps an SDK error to the unit's fate; anything else propagates. */
export function classify(e: unknown, service: string, region: string): Error {
  const name = (e as { name?: string }).name ?? "";
  if (THROTTLES.has(name)) return new Throttled(`${service} in ${region}: ${name}`);
  if (REFUSALS.has(name)) return new UnitRefused(`${name}: the credentials may not read ${service} in ${region}`);
  return e as Error;
}

/** An API call whose "not found" answers mean "none" (no policy, no encryption…). */
async function orNull<T>(call: Promise<T>, notFound: readonly string[]): Promise<T | null> {
  try {
    return await call;
  } catch (e) {
    if (notFound.includes((e as { name?: string }).name ?? "")) return null;
    throw e;
  }
}

async function collectAll<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i] as T);
      }
    }),
  );
  return out;
}

export function awsSource(
  creds: ScanCredentials,
  home: string,
  clientOptions: Record<string, unknown> = {},
): InventorySource {
  let session: Promise<AwsCredentials> | undefined;
  const given = (): Promise<AwsCredentials> => {
    session ??= (async () => {
      if (creds.access_key_id && creds.secret_access_key) {
        return {
          accessKeyId: creds.access_key_id,
          secretAccessKey: creds.secret_access_key,
          ...(creds.session_token ? { sessionToken: creds.session_token } : {}),
        };
      }
      if (!creds.role_arn) throw new UnitRefused("no credentials");
      // The scanner's own role assumes the customer's read-only role (SecurityAudit), with its external id.
      const sts = new STSClient({ ...CLIENT, region: home, ...clientOptions });
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: creds.role_arn,
          RoleSessionName: "warden-cloudsentinel-scan",
          ExternalId: creds.external_id,
          DurationSeconds: 3600,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new UnitRefused("AssumeRole answered no credentials");
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    })();
    return session;
  };
  // The platform's own account: no credentials option, so each client resolves the default chain.
  const credentials = creds.platform ? {} : { credentials: given };
  const opts = (region: string) => ({ ...CLIENT, region, ...credentials, ...clientOptions });
  let finishedAt = new Date().toISOString();

  return {
    async identity() {
      const out = await new STSClient(opts(home)).send(new GetCallerIdentityCommand({}));
      if (!out.Account || !out.Arn) throw new Error("GetCallerIdentity answered no account");
      return { accountId: out.Account, arn: out.Arn };
    },
    collectedAt: () => finishedAt,
    async collect(service, region, depth = "deep") {
      try {
        const part = await COLLECTORS[service](opts(region), region, depth);
        finishedAt = new Date().toISOString();
        return part;
      } catch (e) {
        throw classify(e, service, region);
      }
    },
  };
}

type Opts = Record<string, unknown> & { region: string };
type Collector = (opts: Opts, region: string, depth: ScanDepth) => Promise<InventoryPart>;

async function iam(opts: Opts, _region: string, depth: ScanDepth): Promise<InventoryPart> {
  const client = new IAMClient(opts);
  const details = await collectAll(
    paginateGetAccountAuthorizationDetails(
      { client },
      { Filter: ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"] },
    ),
  );
  const users = details.flatMap((d) => d.UserDetailList ?? []);
  const UserDetailList = await mapLimit(users, 4, async (u) => {
    const name = u.UserName ?? "";
    const keys = (await collectAll(paginateListAccessKeys({ client }, { UserName: name }))).flatMap(
      (p) => p.AccessKeyMetadata ?? [],
    );
    const AccessKeys = await Promise.all(
      keys.map(async (k) => ({
        ...(plain(k) as object),
        AccessKeyLastUsed: plain(
          (await client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }))).AccessKeyLastUsed,
        ),
      })),
    );
    const MFADevices = (await collectAll(paginateListMFADevices({ client }, { UserName: name }))).flatMap(
      (p) => p.MFADevices ?? [],
    );
    const login = await orNull(client.send(new GetLoginProfileCommand({ UserName: name })), ["NoSuchEntityException"]);
    return {
      ...(plain(u) as object),
      UserPolicyList: u.UserPolicyList ?? [],
      LoginProfile: plain(login?.LoginProfile ?? null),
      MFADevices: plain(MFADevices),
      AccessKeys,
    };
  });
  const policy = await orNull(client.send(new GetAccountPasswordPolicyCommand({})), ["NoSuchEntityException"]);
  const summary = await client.send(new GetAccountSummaryCommand({}));
  const aliases = await client.send(new ListAccountAliasesCommand({}));
  const virtual = (await collectAll(paginateListVirtualMFADevices({ client }, {}))).flatMap(
    (p) => p.VirtualMFADevices ?? [],
  );
  // The credential report (deep scans only): generated on demand, ready within seconds.
  let report: string | undefined;
  for (let i = 0; depth === "deep" && i < 10 && report === undefined; i++) {
    const state = await client.send(new GenerateCredentialReportCommand({}));
    if (state.State === "COMPLETE") {
      const got = await client.send(new GetCredentialReportCommand({}));
      report = got.Content ? Buffer.from(got.Content).toString("utf8") : "";
    } else await new Promise((r) => setTimeout(r, 1000 * (i + 1)));
  }
  const Policies = details
    .flatMap((d) => d.Policies ?? [])
    .filter((p) => (p.AttachmentCount ?? 0) > 0 || !p.Arn?.startsWith("arn:aws:iam::aws:"));
  return {
    part: {
      iam: {
        UserDetailList: UserDetailList as never,
        GroupDetailList: plain(details.flatMap((d) => d.GroupDetailList ?? [])) as never,
        RoleDetailList: plain(details.flatMap((d) => d.RoleDetailList ?? [])) as never,
        Policies: plain(Policies) as never,
        AccountSummary: summary.SummaryMap as Record<string, number>,
        VirtualMFADevices: plain(virtual) as never,
      },
      account: {
        PasswordPolicy: plain(policy?.PasswordPolicy ?? null) as never,
        AccountAlias: aliases.AccountAliases?.[0],
        ...(report !== undefined ? { CredentialReport: parseCredentialReport(report) } : {}),
      },
    },
    resources: 1 + users.length + Policies.length,
  };
}

async function s3(opts: Opts, home: string): Promise<InventoryPart> {
  const client = new S3Client(opts);
  const buckets = (await client.send(new ListBucketsCommand({}))).Buckets ?? [];
  const Buckets = await mapLimit(buckets, 8, async (b) => {
    const Bucket = b.Name ?? "";
    const loc = await client.send(new GetBucketLocationCommand({ Bucket }));
    const region = !loc.LocationConstraint
      ? "us-east-1"
      : loc.LocationConstraint === "EU"
        ? "eu-west-1"
        : loc.LocationConstraint;
    const c = new S3Client({ ...opts, region });
    const [acl, policy, status, block, enc, versioning, logging] = await Promise.all([
      c.send(new GetBucketAclCommand({ Bucket })),
      orNull(c.send(new GetBucketPolicyCommand({ Bucket })), ["NoSuchBucketPolicy"]),
      orNull(c.send(new GetBucketPolicyStatusCommand({ Bucket })), ["NoSuchBucketPolicy"]),
      orNull(c.send(new GetPublicAccessBlockCommand({ Bucket })), ["NoSuchPublicAccessBlockConfiguration"]),
      orNull(c.send(new GetBucketEncryptionCommand({ Bucket })), ["ServerSideEncryptionConfigurationNotFoundError"]),
      c.send(new GetBucketVersioningCommand({ Bucket })),
      c.send(new GetBucketLoggingCommand({ Bucket })),
    ]);
    return {
      Name: Bucket,
      CreationDate: plain(b.CreationDate) as string | undefined,
      region,
      Acl: { Grants: plain(acl.Grants ?? []) },
      Policy: policy?.Policy ?? null,
      ...(status?.PolicyStatus ? { PolicyStatus: { IsPublic: !!status.PolicyStatus.IsPublic } } : {}),
      PublicAccessBlockConfiguration: plain(block?.PublicAccessBlockConfiguration ?? null),
      ServerSideEncryptionConfiguration: plain(enc?.ServerSideEncryptionConfiguration ?? null),
      Versioning: { Status: versioning.Status, MFADelete: versioning.MFADelete },
      Logging: plain({ LoggingEnabled: logging.LoggingEnabled }),
    };
  });
  const identity = await new STSClient(opts).send(new GetCallerIdentityCommand({}));
  const account = await orNull(
    new S3ControlClient({ ...opts, region: home }).send(
      new GetAccountPublicAccessBlockCommand({ AccountId: identity.Account }),
    ),
    ["NoSuchPublicAccessBlockConfiguration"],
  );
  return {
    part: {
      s3: { Buckets: Buckets as never },
      account: { PublicAccessBlockConfiguration: plain(account?.PublicAccessBlockConfiguration ?? null) as never },
    },
    resources: Buckets.length,
  };
}

async function cloudtrail(opts: Opts, region: string): Promise<InventoryPart> {
  const client = new CloudTrailClient(opts);
  const trails = (
    (await client.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList ?? []
  ).filter((t) => t.HomeRegion === region);
  const Trails = await Promise.all(
    trails.map(async (t) => {
      const [status, selectors] = await Promise.all([
        client.send(new GetTrailStatusCommand({ Name: t.TrailARN })),
        client.send(new GetEventSelectorsCommand({ TrailName: t.TrailARN })),
      ]);
      return {
        ...(plain(t) as object),
        region,
        Status: plain({
          IsLogging: !!status.IsLogging,
          LatestDeliveryTime: status.LatestDeliveryTime,
          LatestCloudWatchLogsDeliveryTime: status.LatestCloudWatchLogsDeliveryTime,
        }),
        ...(selectors.EventSelectors ? { EventSelectors: plain(selectors.EventSelectors) } : {}),
        ...(selectors.AdvancedEventSelectors
          ? { AdvancedEventSelectors: plain(selectors.AdvancedEventSelectors) }
          : {}),
      };
    }),
  );
  return { part: { cloudtrail: { Trails: Trails as never } }, resources: Trails.length };
}

async function config(opts: Opts, region: string): Promise<InventoryPart> {
  const client = new ConfigServiceClient(opts);
  const recorders = (await client.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ?? [];
  const statuses =
    (await client.send(new DescribeConfigurationRecorderStatusCommand({}))).ConfigurationRecordersStatus ?? [];
  return {
    part: {
      config: {
        ConfigurationRecorders: recorders.map((r) => ({ ...(plain(r) as object), region })) as never,
        ConfigurationRecordersStatus: statuses.map((s) => ({ ...(plain(s) as object), region })) as never,
      },
    },
    resources: recorders.length,
  };
}

async function guardduty(opts: Opts, region: string): Promise<InventoryPart> {
  const client = new GuardDutyClient(opts);
  const ids = (await collectAll(paginateListDetectors({ client }, {}))).flatMap((p) => p.DetectorIds ?? []);
  const Detectors = await Promise.all(
    ids.map(async (DetectorId) => ({
      region,
      DetectorId,
      Status: (await client.send(new GetDetectorCommand({ DetectorId }))).Status ?? "DISABLED",
    })),
  );
  return { part: { guardduty: { Detectors: Detectors as never } }, resources: Detectors.length };
}

const withRegion = (list: unknown[], region: string) => list.map((x) => ({ ...(plain(x) as object), region }));

async function ec2(opts: Opts, region: string, depth: ScanDepth): Promise<InventoryPart> {
  const client = new EC2Client(opts);
  const SecurityGroups = (await collectAll(paginateDescribeSecurityGroups({ client }, {}))).flatMap(
    (p) => p.SecurityGroups ?? [],
  );
  const Instances = (await collectAll(paginateDescribeInstances({ client }, {}))).flatMap((p) =>
    (p.Reservations ?? []).flatMap((r) => r.Instances ?? []),
  );
  const Volumes = (await collectAll(paginateDescribeVolumes({ client }, {}))).flatMap((p) => p.Volumes ?? []);
  const snapshots = (await collectAll(paginateDescribeSnapshots({ client }, { OwnerIds: ["self"] }))).flatMap(
    (p) => p.Snapshots ?? [],
  );
  // Each snapshot's sharing: one call per snapshot, made by a deep scan only.
  const Snapshots =
    depth === "deep"
      ? await mapLimit(snapshots, 8, async (s) => ({
          ...(plain(s) as object),
          region,
          CreateVolumePermissions: plain(
            (
              await client.send(
                new DescribeSnapshotAttributeCommand({ SnapshotId: s.SnapshotId, Attribute: "createVolumePermission" }),
              )
            ).CreateVolumePermissions ?? [],
          ),
        }))
      : withRegion(snapshots, region);
  const Images = (await client.send(new DescribeImagesCommand({ Owners: ["self"] }))).Images ?? [];
  const ebs = await client.send(new GetEbsEncryptionByDefaultCommand({}));
  return {
    part: {
      ec2: {
        SecurityGroups: withRegion(SecurityGroups, region) as never,
        Instances: withRegion(Instances, region) as never,
        Volumes: withRegion(Volumes, region) as never,
        Snapshots: Snapshots as never,
        Images: withRegion(Images, region) as never,
        EbsEncryptionByDefault: [{ region, EbsEncryptionByDefault: !!ebs.EbsEncryptionByDefault }],
      },
    },
    resources: SecurityGroups.length + Instances.length + Volumes.length + Snapshots.length + Images.length,
  };
}

async function vpc(opts: Opts, region: string): Promise<InventoryPart> {
  const client = new EC2Client(opts);
  const Vpcs = (await collectAll(paginateDescribeVpcs({ client }, {}))).flatMap((p) => p.Vpcs ?? []);
  const FlowLogs = (await collectAll(paginateDescribeFlowLogs({ client }, {}))).flatMap((p) => p.FlowLogs ?? []);
  return {
    part: { ec2: { Vpcs: withRegion(Vpcs, region) as never, FlowLogs: withRegion(FlowLogs, region) as never } },
    resources: Vpcs.length,
  };
}

async function rds(opts: Opts, region: string): Promise<InventoryPart> {
  const client = new RDSClient(opts);
  const DBInstances = (await collectAll(paginateDescribeDBInstances({ client }, {}))).flatMap(
    (p) => p.DBInstances ?? [],
  );
  return { part: { rds: { DBInstances: withRegion(DBInstances, region) as never } }, resources: DBInstances.length };
}

async function kms(opts: Opts, region: string): Promise<InventoryPart> {
  const client = new KMSClient(opts);
  const keys = (await collectAll(paginateListKeys({ client }, {}))).flatMap((p) => p.Keys ?? []);
  const Keys = await mapLimit(keys, 8, async (k) => {
    const meta = (await client.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata;
    const customer = meta?.KeyManager === "CUSTOMER";
    const symmetric = (meta?.KeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT";
    const rotation =
      customer && symmetric && meta?.KeyState === "Enabled"
        ? await client.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))
        : undefined;
    const policy = customer
      ? await client.send(new GetKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: "default" }))
      : undefined;
    return {
      ...(plain(meta) as object),
      region,
      ...(rotation ? { KeyRotationEnabled: !!rotation.KeyRotationEnabled } : {}),
      ...(policy?.Policy ? { Policy: policy.Policy } : {}),
    };
  });
  return { part: { kms: { Keys: Keys as never } }, resources: Keys.length };
}

async function lambda(opts: Opts, region: string): Promise<InventoryPart> {
  const client = new LambdaClient(opts);
  const fns = (await collectAll(paginateListFunctions({ client }, {}))).flatMap((p) => p.Functions ?? []);
  const Functions = await mapLimit(fns, 8, async (f) => {
    const urls = await client.send(new ListFunctionUrlConfigsCommand({ FunctionName: f.FunctionName }));
    const policy = await orNull(client.send(new GetPolicyCommand({ FunctionName: f.FunctionName })), [
      "ResourceNotFoundException",
    ]);
    return {
      ...(plain(f) as object),
      region,
      FunctionUrlConfigs: plain(urls.FunctionUrlConfigs ?? []),
      ...(policy?.Policy ? { Policy: policy.Policy } : {}),
    };
  });
  return { part: { lambda: { Functions: Functions as never } }, resources: Functions.length };
}

const COLLECTORS: Record<ScanService, Collector> = {
  iam,
  s3,
  cloudtrail,
  config,
  guardduty,
  ec2,
  vpc,
  rds,
  kms,
  lambda,
};
