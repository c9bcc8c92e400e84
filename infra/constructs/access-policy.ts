/**
 * Turns a function's declared `Access` into IAM statements: the only place that knows which AWS
 * actions a route or worker may call. Least privilege is the point, so every statement names its
 * resources; the few `*` and wildcard ARNs that remain are required by the service and are
 * acknowledged (with the reason) in `nag.ts`.
 */

import { ArnFormat, Aws, Stack, Tags } from "aws-cdk-lib";
import { type CfnRole, Effect, type IRole, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { IConstruct } from "constructs";
import { AUDIT_PARTITION_PATTERNS } from "#shared/audit/db/trail.ts";
import {
  eventsTopic,
  HEALTH_PROBE_THING,
  LEGACY_THING_PREFIX,
  POLICY_PREFIX,
  SHADOW_READ_ACTIONS,
  SHADOW_WRITE_ACTIONS,
  THING_CREATE_ACTIONS,
  THING_PREFIX,
  THING_UNDO_ACTIONS,
} from "#shared/iot/policy.ts";
import type { Access } from "#shared/kit/route.ts";
import { PLATFORM_SCAN_ACTIONS } from "#shared/posture/adapters/aws-permissions.ts";
import { TABLE } from "#shared/table/table.ts";
import {
  preTenantStatements,
  routeTableStatements,
  TENANT_TAG_VARIABLE,
  tableStatementsJson,
  tenantAccessStatements,
  tenantIotStatementJson,
} from "#shared/tenancy/credentials.ts";
import { RATE_WINDOW_PARTITION_PATTERNS } from "#shared/tenancy/db/rate-windows.ts";

/**
 * The naming the IAM scoping relies on, taken from the gateway policy module itself: the registry
 * names each thing `warden-…`, the IoT stack names the one static gateway policy `warden-…`;
 * gateways publish their events on `eventsTopic(tenant, thing)`, whose first level is the topic root.
 */
export const IOT_NAMES = {
  thingPrefix: THING_PREFIX,
  policyPrefix: POLICY_PREFIX,
  /** MQTT filter matching every gateway's events topic. */
  eventsTopicFilter: eventsTopic("+", "+"),
  topicRoot: eventsTopic("+", "+").split("/")[0] ?? "",
} as const;

/**
 * Rate-limit window partitions, as tenancy/db/rate-windows.ts declares them: per tenant
 * (`T#<tenant>#RL`, `T#<tenant>#KEY#<id>#RL`) and per source address for anonymous calls.
 */
export const RATE_LIMIT_PARTITIONS = RATE_WINDOW_PARTITION_PATTERNS;

/**
 * Audit-trail partitions, as the audit area's db declares them: the chain head and checkpoints
 * `T#<tenant>#AUDIT` and the day partitions `T#<tenant>#AUDIT#<day>`.
 */
export const AUDIT_PARTITIONS = AUDIT_PARTITION_PATTERNS;

/** What a function needs beyond `Access`, derived from its route by the caller. */
export interface FunctionNeeds extends Access {
  /** The endpoint kit counts every call of a rate-limited route in the table. */
  rateLimit?: boolean;
  /**
   * The route authenticates callers, so it reads the JWT key's public half to verify tokens; its
   * table access (if any) is then exercised through tenant sessions (see `ownTableStatements`).
   */
  verifyTokens?: boolean;
  /** The function serves an HTTP route (routes-stack.ts), not a worker. */
  httpRoute?: boolean;
  /**
   * The deploy-time lookup (infra/constructs/token-public-keys.ts): kms:GetPublicKey on the current
   * and the previous signing key. The only function that reads them from KMS: verifiers get the
   * public halves as configuration.
   */
  tokenKeyLookup?: boolean;
}

/**
 * Whether a function reaches the table through tenant sessions: every route with a verified
 * caller. Public routes (no permission: the named pre-tenant routes of shared/tenancy/
 * credentials.ts) and the workers (stream, workflow tasks, ingest) keep their own role's access.
 */
/**
 * Whether a function verifies tokens or publishes the key set: it gets the signing key's public half
 * (and the previous key's during a rotation) as configuration, and no KMS grant.
 */
export const verifiesWithPreviousKey = (needs: FunctionNeeds): boolean => !!needs.jwtPublicKey || !!needs.verifyTokens;

/** A KMS key ARN (`-c previousTokenKeyArn`): IAM grants name keys by ARN, never by alias. */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]{32,36}$/;

export const usesTenantSessions = (needs: FunctionNeeds): boolean => !!needs.verifyTokens && !!needs.table;

export interface AccessTargets {
  /**
   * The single table's physical name. Function policies build its ARN in their own stack from the
   * name, so a route stack needs no cross-stack import for it and the index wildcard is a plain ARN.
   */
  tableName: string;
  /** The key DynamoDB encrypts the table with (server side). */
  tableKey: IKey;
  /** The envelope-encryption key for secrets stored in the table. */
  dataKey: IKey;
  /** The asymmetric ES256 key that signs access tokens. */
  jwtKey: IKey;
  /**
   * `-c previousTokenKeyArn=`, during a signing-key rotation only: the previous key's ARN, whose
   * public half the deploy-time lookup reads (kms:GetPublicKey, nothing else) for the token
   * verifiers and the JWKS route.
   */
  previousJwtKeyArn?: string;
  /**
   * The data stack's tenant-access role (a fixed name, so route stacks build its ARN without a
   * cross-stack import): assumed per tenant by the routes with a verified caller.
   */
  tenantRoleName?: string;
  /** The static IoT policy the registry attaches to gateway certificates (set when a function registers gateways). */
  iotGatewayPolicyName?: string;
  /** Every Warden state machine is named `<this><workflow>` (infra/stacks/workflows-stack.ts). */
  stateMachineNamePrefix?: string;
  /** The blob bucket's physical name (shared/blobs), and the key S3 encrypts it with. */
  blobBucketName?: string;
  blobKey?: IKey;
  /**
   * The payment secret's ARN (`-c stripeSecretArn`, see `paymentSecretArn`): set when the
   * deployment bills through Stripe; functions with `paymentSecrets` may read it, no other.
   */
  paymentSecretArn?: string;
  /** The Bedrock model or inference profile (`-c bedrockModelId`) the insights summary may invoke. */
  bedrockModelId?: string;
  /** This deployment's fixed names (see `deploymentNames`); set by the app factory. */
  names?: DeploymentNames;
  /** Set when the scheduled gateway-scan function is deployed: tenants' scan schedules invoke it. */
  scanSchedules?: boolean;
  /**
   * `-c platformScanTenants=<id>@<created_at>,…`: the tenants that may scan the platform's own account with the
   * scanner's own role. Unset, no function gets the collectors' read grant or the list.
   */
  platformScanTenants?: string[];
}

/**
 * Names fixed per deployment (stack prefix), so functions can address these resources by ARN
 * without a cross-stack reference, and customers can trust the scanner without knowing our
 * generated role names. IAM names are global to the account, so the scheduler role's name carries
 * the region.
 */
export interface DeploymentNames {
  /** EventBridge Scheduler group of the tenants' weekly gateway-scan schedules. */
  scanScheduleGroup: string;
  /** The role those schedules run as (invokes the scheduled-scan function only). */
  scanSchedulerRoleName: string;
  /** The scheduled-scan function's physical name (the schedules' target). */
  scanScheduleTargetName: string;
  /**
   * IAM path of every role that assumes customers' scan roles: a customer's trust policy names our
   * account and this path (`aws:PrincipalArn`), not generated role names.
   */
  scannerRolePath: string;
  /** Tag on the roles that may sign access tokens; the signing key's policy requires it. */
  tokenSignerTag: { key: string; value: string };
}

export const TOKEN_SIGNER_TAG_KEY = "warden:token-signer";

export function deploymentNames(prefix: string, dataStackName = `${prefix}-Data`): DeploymentNames {
  const lower = prefix.toLowerCase();
  return {
    scanScheduleGroup: `${lower}-gateway-scans`,
    scanSchedulerRoleName: `${lower}-scan-scheduler-${Aws.REGION}`,
    scanScheduleTargetName: `${lower}-gateway-scan-scheduled`,
    scannerRolePath: `/${lower}-cloud-scanner/`,
    tokenSignerTag: { key: TOKEN_SIGNER_TAG_KEY, value: dataStackName },
  };
}

/**
 * The IAM resource of the payment secret named by `-c stripeSecretArn`: a complete ARN as given; a
 * name (or a partial ARN without Secrets Manager's 6-character suffix) gets the suffix wildcard.
 */
export function paymentSecretResource(scope: IConstruct, secret: string): string {
  if (/^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:.+-[A-Za-z0-9]{6}$/.test(secret)) return secret;
  if (secret.startsWith("arn:")) return `${secret}-??????`;
  return Stack.of(scope).formatArn({
    service: "secretsmanager",
    resource: "secret",
    resourceName: `${secret}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * What `bedrock:InvokeModel` is granted on for `-c bedrockModelId`: a full ARN as given; a
 * foundation model id (`anthropic.claude-…`) → that model in the stack's region; a cross-region
 * inference profile id (`us.`, `eu.`, `apac.`, `global.` prefix) → the profile in this account and
 * region, and the model it routes to in any region (Bedrock checks both).
 */
export function bedrockModelResources(scope: IConstruct, modelId: string): string[] {
  if (modelId.startsWith("arn:")) return [modelId];
  const stack = Stack.of(scope);
  const profile = /^(us|eu|apac|us-gov|global)\.(.+)$/.exec(modelId);
  if (!profile) {
    return [stack.formatArn({ service: "bedrock", account: "", resource: "foundation-model", resourceName: modelId })];
  }
  return [
    stack.formatArn({ service: "bedrock", resource: "inference-profile", resourceName: modelId }),
    stack.formatArn({
      service: "bedrock",
      region: "*",
      account: "",
      resource: "foundation-model",
      resourceName: profile[2],
    }),
  ];
}

/** The ARN pattern of every state machine of this deployment (and nothing else in the account). */
export function stateMachineArnPattern(scope: IConstruct, namePrefix: string): string {
  return Stack.of(scope).formatArn({
    service: "states",
    resource: "stateMachine",
    resourceName: `${namePrefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** What DynamoDB asks KMS for, on the caller's behalf, to read and write a CMK-encrypted table. */
const TABLE_KEY_USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"];

/**
 * The principal tag every route role that uses tenant sessions carries (warden-function.ts) and
 * the tenant-access role's trust policy requires: no other role of the account may assume it.
 */
export const TENANT_ACCESS_PRINCIPAL_TAG = { key: "warden-tenant-access", value: "route" } as const;

/** The tenant-access role's ARN, built from its fixed name in the function's own stack. */
export function tenantRoleArn(scope: IConstruct, roleName: string): string {
  return Stack.of(scope).formatArn({ service: "iam", region: "", resource: "role", resourceName: roleName });
}

/**
 * A function's own table statements (each as IAM JSON for a table ARN):
 *   - a worker or a public route (the named pre-tenant routes): its declared access, as before;
 *   - a route with a verified caller: only what it does before the tenant is known, with the
 *     full declared access going through tenant sessions (shared/tenancy/credentials.ts):
 *     point reads (GetItem/BatchGetItem, no Query) to authenticate the token or API key (user,
 *     tenant, revoked token, key pointer), the rate windows (`T#*#RL`, `G#IP#*#RL`: also an API
 *     key's use counter) and the audit partitions (a request the permission check refuses is
 *     audited before any tenant session exists). Every write it keeps carries a LeadingKeys condition.
 */
export function ownTableStatements(needs: FunctionNeeds, tableArn: string): Record<string, unknown>[] {
  const own = usesTenantSessions(needs)
    ? preTenantStatements()
    : routeTableStatements({ table: needs.table, rateLimit: needs.rateLimit });
  return tableStatementsJson(own, tableArn);
}

/**
 * The tenant-access role's table statements: every table action, on the partitions of the
 * session's own tenant (`T#${aws:PrincipalTag/tenant}` and `…#*`) and, point operations only, on
 * the named global guards (shared/tenancy/credentials.ts `GLOBAL_GUARD_PARTITIONS`).
 */
export function tenantAccessRoleStatements(tableArn: string): PolicyStatement[] {
  return tableStatementsJson(tenantAccessStatements(TENANT_TAG_VARIABLE), tableArn).map((s) =>
    PolicyStatement.fromJson(s),
  );
}

/**
 * The tenant-access role's statement on things: every thing action a route may hold (shadows,
 * registering, deregistering) on `thing/warden_${aws:PrincipalTag/tenant}_*` only. The `_`
 * separator is what makes the pattern one tenant's: tenant ids never contain it.
 */
export function tenantAccessRoleIotStatement(scope: IConstruct): PolicyStatement {
  const stack = Stack.of(scope);
  return PolicyStatement.fromJson(
    tenantIotStatementJson(TENANT_TAG_VARIABLE, (name) =>
      stack.formatArn({ service: "iot", resource: "thing", resourceName: name }),
    ),
  );
}

export function accessStatements(scope: IConstruct, needs: FunctionNeeds, targets: AccessTargets): PolicyStatement[] {
  const stack = Stack.of(scope);
  const statements: PolicyStatement[] = [];
  const allow = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
    statements.push(new PolicyStatement({ actions, resources, conditions }));
  const iotArn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: "iot", resource, resourceName });

  const tableArn = stack.formatArn({ service: "dynamodb", resource: "table", resourceName: targets.tableName });
  for (const statement of ownTableStatements(needs, tableArn)) statements.push(PolicyStatement.fromJson(statement));
  if (usesTenantSessions(needs)) {
    if (!targets.tenantRoleName) throw new Error("a route with a verified caller needs the tenant-access role name");
    // The session tag `tenant=<id>` is what the tenant-access role's policy fences the keys by.
    allow(["sts:AssumeRole", "sts:TagSession"], [tenantRoleArn(scope, targets.tenantRoleName)]);
  }
  if (needs.table || needs.rateLimit) {
    allow(TABLE_KEY_USE, [targets.tableKey.keyArn], {
      StringEquals: { "kms:ViaService": `dynamodb.${stack.region}.${stack.urlSuffix}` },
    });
  }

  // Signers read their key's public half for the token header's kid, and check the shipped one against it.
  if (needs.jwtSign) allow(["kms:Sign", "kms:GetPublicKey"], [targets.jwtKey.keyArn]);
  // Verifiers and the JWKS route get the public halves as configuration (token-public-keys.ts), read
  // once at deploy time by the lookup, the one function that may: no verifier holds a KMS grant.
  if (needs.tokenKeyLookup) {
    allow(
      ["kms:GetPublicKey"],
      [targets.jwtKey.keyArn, ...(targets.previousJwtKeyArn ? [targets.previousJwtKeyArn] : [])],
    );
  }

  if (needs.dataKey) {
    const encrypt = ["kms:Encrypt", "kms:GenerateDataKey"];
    const decrypt = ["kms:Decrypt"];
    const actions = { encrypt, decrypt, both: [...encrypt, ...decrypt] }[needs.dataKey];
    allow(actions, [targets.dataKey.keyArn]);
  }

  // Things (issue 17 item 1): a route with a verified caller touches things only through its
  // tenant session (the tenant-access role: `thing/warden_<tenant>_*`, data stack), so its own role
  // holds no thing action. A public route reads the health probe's thing only. Workers serve every
  // tenant and keep Warden's prefixes, the legacy `warden-` one included (gateways registered before
  // the `warden_<tenant>_<id>` naming keep their names).
  const sessionThings = usesTenantSessions(needs);
  const things = sessionThings
    ? []
    : needs.httpRoute
      ? [iotArn("thing", HEALTH_PROBE_THING)]
      : [iotArn("thing", `${IOT_NAMES.thingPrefix}*`), iotArn("thing", `${LEGACY_THING_PREFIX}*`)];
  if (needs.iotRegistry) statements.push(...iotRegistryStatements(scope, needs.iotRegistry, targets, things));
  if (things.length > 0) {
    // Named shadows are `thing/<name>/<shadow>`, which the same wildcard covers.
    if (needs.iotShadows) allow(SHADOW_WRITE_ACTIONS, things);
    else if (needs.iotShadowsRead) allow(SHADOW_READ_ACTIONS, things);
  }
  if (needs.iotPublish) {
    allow(["iot:Publish"], [iotArn("topic", `${IOT_NAMES.topicRoot}/*`)]);
  }
  if (needs.workflows) {
    if (!targets.stateMachineNamePrefix) throw new Error("workflows access needs the state machine name prefix");
    const machines = stateMachineArnPattern(scope, targets.stateMachineNamePrefix);
    const start = ["states:StartExecution"];
    // Task tokens are answered on the state machine's ARN (as CDK's grantTaskResponse grants them).
    const complete = ["states:SendTaskSuccess", "states:SendTaskFailure"];
    const actions = { start, complete, both: [...start, ...complete] }[needs.workflows];
    allow(actions, [machines]);
  }
  if (needs.blobs) {
    if (!targets.blobBucketName || !targets.blobKey) throw new Error("blobs access needs the blob bucket and its key");
    // Objects only, and only under the tenants' prefix: no listing, no bucket configuration.
    const objects = `arn:${stack.partition}:s3:::${targets.blobBucketName}/tenants/*`;
    allow(
      needs.blobs === "RW"
        ? ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"]
        : ["s3:GetObject"],
      [objects],
    );
    allow(needs.blobs === "RW" ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"], [targets.blobKey.keyArn], {
      StringEquals: { "kms:ViaService": `s3.${stack.region}.${stack.urlSuffix}` },
    });
  }
  if (needs.notify) {
    // E-mail from any verified identity of this account and region (the sender is configuration).
    allow(
      ["ses:SendEmail", "ses:SendRawEmail"],
      [stack.formatArn({ service: "ses", resource: "identity", resourceName: "*" })],
    );
    // SMS to a phone number has no ARN: sns:Publish to a number is authorized on `*` only.
    allow(["sns:Publish"], ["*"]);
  }
  if (needs.paymentSecrets && targets.paymentSecretArn) {
    allow(["secretsmanager:GetSecretValue"], [paymentSecretResource(scope, targets.paymentSecretArn)]);
  }
  if (needs.summariserModel && targets.bedrockModelId) {
    allow(["bedrock:InvokeModel"], bedrockModelResources(scope, targets.bedrockModelId));
  }
  if (needs.assumeCustomerRoles) statements.push(...assumeCustomerRoleStatements(scope));
  if (needs.platformAccountScan === "collect" && targets.platformScanTenants?.length) {
    // The collectors' own calls, read-only, on the platform's account (the only one these
    // credentials reach): the exact list aws.ts sends, smaller than SecurityAudit (see its file).
    // Most are list calls without resource-level permissions, and the resources are discovered at
    // run time, hence `*`.
    allow([...PLATFORM_SCAN_ACTIONS], ["*"]);
  }
  if (needs.scanSchedules && targets.scanSchedules && targets.names) {
    statements.push(...scanScheduleStatements(scope, targets.names));
  }
  return statements;
}

/** The single table's GSIs by name (shared/table/table.ts declares them), never `index/*`. */
export function tableIndexArns(tableArn: string): string[] {
  return TABLE.indexes.map((index) => `${tableArn}/index/${index.name}`);
}

/**
 * The registry's statements on certificates and the gateway policy (certificate ids are made by IoT
 * at registration, so `cert/*` cannot name a tenant), and on `things` where the function holds thing
 * actions on its own role (none for a route with a verified caller: its tenant session creates,
 * attaches, detaches and deletes the thing, on `thing/warden_<tenant>_*` only).
 */
function iotRegistryStatements(
  scope: IConstruct,
  mode: NonNullable<Access["iotRegistry"]>,
  targets: AccessTargets,
  things: string[],
): PolicyStatement[] {
  const stack = Stack.of(scope);
  const iotArn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: "iot", resource, resourceName });
  const certs = iotArn("cert", "*");
  if (!targets.iotGatewayPolicyName) throw new Error("iotRegistry access needs the IoT gateway policy name");
  const policy = iotArn("policy", targets.iotGatewayPolicyName);
  const onThings = (actions: string[]) =>
    things.length > 0 ? [new PolicyStatement({ actions, resources: things })] : [];
  // Deregistering (and undoing a failed registration): detach, deactivate, delete. No create.
  const undo = [
    ...onThings(THING_UNDO_ACTIONS),
    new PolicyStatement({ actions: ["iot:UpdateCertificate", "iot:DeleteCertificate"], resources: [certs] }),
    new PolicyStatement({ actions: ["iot:DetachPolicy"], resources: [certs, policy] }),
  ];
  if (mode === "deregister") return undo;
  return [
    ...undo,
    ...onThings(THING_CREATE_ACTIONS),
    // Certificates get the one static gateway policy (deployed by the IoT stack) and nothing else:
    // the function can neither create, change nor delete a policy, nor attach any other one.
    new PolicyStatement({ actions: ["iot:AttachPolicy"], resources: [certs, policy] }),
    // No resource-level permissions (Service Authorization Reference for AWS IoT). The data
    // endpoint is configured (IOT_ENDPOINT_ADDRESS), so iot:DescribeEndpoint is not granted.
    new PolicyStatement({ actions: ["iot:CreateKeysAndCertificate"], resources: ["*"] }),
  ];
}

/**
 * Cloud scans with `role_arn`: AssumeRole into any account's role, only with an external id (the
 * customer's trust policy checks its value; the confused-deputy guard), and never into a role of
 * the platform's own account: there, a role trusting the account root would accept any external
 * id, so the explicit deny keeps the scanner from climbing into the platform's own roles.
 */
function assumeCustomerRoleStatements(scope: IConstruct): PolicyStatement[] {
  const stack = Stack.of(scope);
  return [
    new PolicyStatement({
      actions: ["sts:AssumeRole"],
      resources: [`arn:${stack.partition}:iam::*:role/*`],
      conditions: { Null: { "sts:ExternalId": "false" } },
    }),
    new PolicyStatement({
      effect: Effect.DENY,
      actions: ["sts:AssumeRole"],
      resources: [`arn:${stack.partition}:iam::${stack.account}:role/*`],
    }),
  ];
}

/** The ARN of a tenant scan schedule of this deployment (shared/scans/adapters/eventbridge.ts names them `warden-scan-<tenant>`). */
export function scanScheduleArnPattern(scope: IConstruct, names: DeploymentNames): string {
  return Stack.of(scope).formatArn({
    service: "scheduler",
    resource: "schedule",
    resourceName: `${names.scanScheduleGroup}/warden-scan-*`,
  });
}

export function scanSchedulerRoleArn(scope: IConstruct, names: DeploymentNames): string {
  return Stack.of(scope).formatArn({
    service: "iam",
    region: "",
    resource: "role",
    resourceName: names.scanSchedulerRoleName,
  });
}

function scanScheduleStatements(scope: IConstruct, names: DeploymentNames): PolicyStatement[] {
  return [
    new PolicyStatement({
      actions: ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
      resources: [scanScheduleArnPattern(scope, names)],
    }),
    // Creating a schedule passes its execution role: this one role, to EventBridge Scheduler only.
    new PolicyStatement({
      actions: ["iam:PassRole"],
      resources: [scanSchedulerRoleArn(scope, names)],
      conditions: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
    }),
  ];
}

/** What a function with scan schedules reads (shared/scans/adapters/eventbridge.ts). */
export function scanScheduleEnvironment(scope: IConstruct, names: DeploymentNames): Record<string, string> {
  return {
    WARDEN_SCAN_SCHEDULE_GROUP: names.scanScheduleGroup,
    WARDEN_SCAN_SCHEDULER_ROLE_ARN: scanSchedulerRoleArn(scope, names),
    WARDEN_SCAN_SCHEDULE_TARGET_ARN: Stack.of(scope).formatArn({
      service: "lambda",
      resource: "function",
      resourceName: names.scanScheduleTargetName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  };
}

/**
 * What a function's role carries besides its statements: the token-signer tag (the signing key's
 * policy allows kms:Sign only to roles with it) and, for cloud scanners, the IAM path customers'
 * trust policies name. Also its environment for scan schedules.
 */
export function applyAccessIdentity(
  scope: IConstruct,
  role: IRole,
  needs: FunctionNeeds,
  targets: AccessTargets,
): Record<string, string> {
  const names = targets.names;
  if (!names) return {};
  if (needs.jwtSign) Tags.of(role).add(names.tokenSignerTag.key, names.tokenSignerTag.value);
  if (needs.assumeCustomerRoles) (role.node.defaultChild as CfnRole).path = names.scannerRolePath;
  return needs.scanSchedules && targets.scanSchedules ? scanScheduleEnvironment(scope, names) : {};
}
