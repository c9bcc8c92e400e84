/**
 * The one construct every Warden Lambda is built with (API routes and workers alike), so the
 * defaults live in one place: Node.js 22 on arm64, an explicit log group with retention, active
 * tracing, the bundle from `dist/functions/<functionId>`, and an own role that holds exactly the
 * access the function declares, plus writing its own logs.
 *
 * Releases: every function publishes a version per change and has a `live` alias; whatever invokes
 * the function (API integration, IoT rule, stream, schedule, state machine) invokes `alias`, never
 * `$LATEST`. With `platform.release.canary` each alias is shifted by CodeDeploy (10 % for five
 * minutes, then all) and rolled back when one of its alarms fires: its own error alarm on the alias,
 * plus any `platform.release.rollbackAlarms` gives it (see `RollbackAlarms`).
 */
import { join } from "node:path";
import { ArnFormat, Duration, RemovalPolicy, Stack, Tags } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, type IAlarm, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { LambdaApplication, LambdaDeploymentConfig, LambdaDeploymentGroup } from "aws-cdk-lib/aws-codedeploy";
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Alias, Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { FUNCTION_NODE_OPTIONS } from "../function-runtime.ts";
import {
  type AccessTargets,
  accessStatements,
  applyAccessIdentity,
  type FunctionNeeds,
  TENANT_ACCESS_PRINCIPAL_TAG,
  tenantRoleArn,
  usesTenantSessions,
  verifiesWithPreviousKey,
} from "./access-policy.ts";
import { failureQueue } from "./monitoring-failure-queue.ts";
import { acknowledgeCanaryDeployRole, acknowledgeFunctionFindings } from "./nag.ts";
import { shippedPublicKeys } from "./shipped-public-keys.ts";

/** Values every function reads from its environment (see shared/kit/config.ts). */
export interface FunctionSettings {
  issuer: string;
  audience: string;
  tokenTtlSeconds: number;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Where notifications go: the table's outbox (default) or SES/SNS (needs a verified SES sender). */
  notifier: "outbox" | "aws";
  notifierFromEmail?: string;
}

/**
 * Extra alarms a function's canary deployment rolls back on. Called once per function while it is
 * built, with the function as scope, so the alarms it creates live in the function's own stack (a
 * deployment group cannot use an alarm of a stack that itself depends on the function's stack).
 */
export type RollbackAlarms = (fn: WardenFunction) => IAlarm[];

/** How a change reaches the `live` alias. */
export interface ReleaseSettings {
  /** CodeDeploy shifts each alias 10 % → 100 % over five minutes, rolling back on the alarms. */
  canary: boolean;
  rollbackAlarms?: RollbackAlarms;
}

/**
 * Reserved concurrency per kind of function (`false`: none). A reservation is both a floor (a flood
 * elsewhere cannot take it away) and a ceiling (this kind cannot starve the rest of the account).
 */
export interface ConcurrencySettings {
  /** Each public sign-in route (login, 2FA, signup, token). */
  auth: number;
  /** Each IoT ingest function. */
  ingest: number;
  /** Each worker (stream, schedule, workflow task, WebSocket authorizer). */
  worker: number;
}

/** What the data and IoT stacks offer to functions. */
export interface PlatformResources extends AccessTargets {
  settings: FunctionSettings;
  release?: ReleaseSettings;
  concurrency?: ConcurrencySettings | false;
  /** The account's IoT data-plane (ATS) endpoint, resolved at deploy time. */
  iotDataEndpoint(): string;
  /** `-c waf=true`: the CloudFront origin secret (a dynamic reference) the route functions check. */
  originSecret?: string;
  /**
   * The service token of the deploy-time token public-key lookup (infra/constructs/token-public-keys.ts),
   * made on first use; every function that verifies tokens, serves the JWKS or signs needs it.
   */
  tokenPublicKeyLookup?(): string;
}

export interface WardenFunctionProps {
  functionId: string;
  /** Directory holding one `<functionId>/index.mjs` bundle per function (see infra/build.ts). */
  assetsDir: string;
  description: string;
  needs: FunctionNeeds;
  platform: PlatformResources;
  /** API functions keep the default: API Gateway gives up on an integration after 29 s. */
  timeout?: Duration;
  /** Function-specific variables (an API function's own route row). */
  environment?: Record<string, string>;
  /** Reserved concurrent executions (see `ConcurrencySettings`); none by default. */
  reservedConcurrency?: number;
}

/** One CodeDeploy application and one deployment role per stack, shared by its deployment groups. */
const canaryShared = new WeakMap<Stack, { application: LambdaApplication; role: Role }>();
function canaryResources(stack: Stack) {
  let shared = canaryShared.get(stack);
  if (!shared) {
    const role = new Role(stack, "CanaryDeployRole", {
      assumedBy: new ServicePrincipal("codedeploy.amazonaws.com"),
      description: "CodeDeploy: shifts the live aliases of this stack's functions",
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName("service-role/AWSCodeDeployRoleForLambdaLimited")],
    });
    acknowledgeCanaryDeployRole(role);
    shared = { application: new LambdaApplication(stack, "CanaryApplication"), role };
    canaryShared.set(stack, shared);
  }
  return shared;
}

export class WardenFunction extends Construct {
  readonly function: LambdaFunction;
  /** `live`: what every trigger invokes. */
  readonly alias: Alias;
  /** With `release.canary` only. */
  readonly deploymentGroup?: LambdaDeploymentGroup;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Where failed asynchronous or stream invocations are kept; set by `keepFailures()`. */
  failureQueue?: Queue;

  constructor(scope: Construct, id: string, props: WardenFunctionProps) {
    super(scope, id);
    const { needs, platform } = props;

    this.logGroup = new LogGroup(this, "Logs", { retention: RetentionDays.ONE_MONTH });

    // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this group only.
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Warden ${props.functionId}`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    // SES and SNS are granted only where notifications really leave through them.
    const granted: FunctionNeeds = {
      ...needs,
      notify: !!needs.notify && platform.settings.notifier === "aws",
      // Platform-account scans exist only where the deployment names who may run them.
      platformAccountScan: platform.platformScanTenants?.length ? needs.platformAccountScan : undefined,
    };
    for (const statement of accessStatements(this, granted, platform)) this.role.addToPrincipalPolicy(statement);
    // Token-signer tag, scanner role path, scan-schedule variables (access-policy.ts).
    const accessEnvironment = applyAccessIdentity(this, this.role, granted, platform);

    const s = platform.settings;
    const environment: Record<string, string> = {
      // The same options as the cold-start bench (none today: stacks map with `npm run stack`).
      ...(FUNCTION_NODE_OPTIONS ? { NODE_OPTIONS: FUNCTION_NODE_OPTIONS } : {}),
      WARDEN_LOG_LEVEL: s.logLevel,
      WARDEN_ISSUER: s.issuer,
      WARDEN_AUDIENCE: s.audience,
      WARDEN_TOKEN_TTL_SECONDS: String(s.tokenTtlSeconds),
      ...props.environment,
    };
    if (needs.table || needs.rateLimit) environment.TABLE_NAME = platform.tableName;
    // Routes with a verified caller reach the table through tenant sessions (shared/tenancy/credentials.ts).
    if (usesTenantSessions(needs) && platform.tenantRoleName) {
      environment.WARDEN_TENANT_ROLE_ARN = tenantRoleArn(this, platform.tenantRoleName);
      Tags.of(this.role).add(TENANT_ACCESS_PRINCIPAL_TAG.key, TENANT_ACCESS_PRINCIPAL_TAG.value);
    }
    // The public halves, read at deploy time (token-public-keys.ts): verifiers and the JWKS route
    // never call KMS. Signers get the current one too, to check it is their key's (shared/auth/signer.ts).
    const verifies = verifiesWithPreviousKey(needs);
    if (verifies || needs.jwtSign) {
      const keys = shippedPublicKeys(this, platform);
      environment.WARDEN_JWT_PUBLIC_KEY = keys.current;
      // During a signing-key rotation: the previous key, for verification and the JWKS only.
      if (verifies && keys.previous) environment.WARDEN_JWT_PREVIOUS_PUBLIC_KEY = keys.previous;
    }
    if (needs.jwtSign) environment.JWT_KMS_KEY_ID = platform.jwtKey.keyArn;
    // Behind CloudFront: the origin secret, so the kit may trust the viewer address (shared/kit/client-address.ts).
    if (platform.originSecret && needs.httpRoute) environment.WARDEN_ORIGIN_SECRET = platform.originSecret;
    if (needs.dataKey) environment.DATA_KMS_KEY_ID = platform.dataKey.keyArn;
    if (needs.blobs && platform.blobBucketName) environment.BLOB_BUCKET = platform.blobBucketName;
    if (needs.notify) {
      environment.NOTIFIER = s.notifier;
      if (s.notifier === "aws" && s.notifierFromEmail) environment.NOTIFIER_FROM_EMAIL = s.notifierFromEmail;
    }
    // Shadow and publish calls need the endpoint; the registry hands it to new gateways.
    if (needs.iotShadows || needs.iotShadowsRead || needs.iotPublish || needs.iotRegistry) {
      environment.IOT_ENDPOINT_ADDRESS = platform.iotDataEndpoint();
    }
    // Executions are started and task tokens answered by the state machine's name (shared/workflows/adapters/sfn.ts).
    if (needs.workflows && platform.stateMachineNamePrefix) {
      environment.WARDEN_STATE_MACHINE_PREFIX = Stack.of(this).formatArn({
        service: "states",
        resource: "stateMachine",
        resourceName: platform.stateMachineNamePrefix,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    }
    // Stripe's keys stay in Secrets Manager; only the functions that talk to Stripe learn where.
    if (platform.paymentSecretArn) {
      environment.WARDEN_PAYMENTS = "stripe";
      if (needs.paymentSecrets) environment.WARDEN_STRIPE_SECRET_ARN = platform.paymentSecretArn;
    }
    // Only the summary route learns which Bedrock model writes its prose (and may invoke it).
    if (needs.summariserModel && platform.bedrockModelId) environment.WARDEN_BEDROCK_MODEL_ID = platform.bedrockModelId;
    if (granted.platformAccountScan && platform.platformScanTenants) {
      environment.WARDEN_PLATFORM_SCAN_TENANTS = platform.platformScanTenants.join(",");
    }
    Object.assign(environment, accessEnvironment);
    // The registry attaches this one static policy to every gateway certificate.
    if (needs.iotRegistry && platform.iotGatewayPolicyName) {
      environment.IOT_GATEWAY_POLICY_NAME = platform.iotGatewayPolicyName;
    }

    this.function = new LambdaFunction(this, "Function", {
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: props.timeout ?? Duration.seconds(29),
      code: Code.fromAsset(join(props.assetsDir, props.functionId)),
      handler: "index.handler",
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment,
      ...(props.reservedConcurrency !== undefined && { reservedConcurrentExecutions: props.reservedConcurrency }),
      // A version per change; the one before is deleted once the stack update (and its canary) has
      // succeeded, so versions do not pile up in the account's code storage.
      currentVersionOptions: { removalPolicy: RemovalPolicy.DESTROY },
    });
    this.alias = new Alias(this, "Live", { aliasName: "live", version: this.function.currentVersion });

    if (platform.release?.canary) {
      const { application, role } = canaryResources(Stack.of(this));
      // Unhandled errors and timeouts of the new version's share of traffic (the kit answers a
      // caught failure with a 5xx envelope; per-route 5xx alarms come through rollbackAlarms).
      const errors = new Alarm(this, "CanaryErrors", {
        alarmDescription: `${props.functionId}: errors on the live alias (rolls a canary back)`,
        metric: this.alias.metricErrors({ period: Duration.minutes(1), statistic: "Sum" }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      this.deploymentGroup = new LambdaDeploymentGroup(this, "Canary", {
        application,
        role,
        alias: this.alias,
        deploymentConfig: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
        alarms: [errors, ...(platform.release.rollbackAlarms?.(this) ?? [])],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      });
    }

    acknowledgeFunctionFindings(
      this,
      granted,
      platform.stateMachineNamePrefix,
      platform.blobBucketName,
      platform.scanSchedules ? platform.names : undefined,
    );
  }

  /**
   * The function's on-failure queue, made on first use (infra/constructs/monitoring-failure-queue.ts):
   * for functions invoked asynchronously or by a stream, never for API functions (their caller
   * gets the error).
   */
  keepFailures(): Queue {
    this.failureQueue ??= failureQueue(this);
    return this.failureQueue;
  }
}
