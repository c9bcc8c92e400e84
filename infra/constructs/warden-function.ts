/**
 * The one construct every Warden Lambda is built with (API routes and workers alike), so the
 * defaults live in one place: Node.js 22 on arm64, an explicit log group with retention, active
 * tracing, the bundle from `dist/functions/<functionId>`, and an own role that holds exactly the
 * access the function declares, plus writing its own logs.
 */
import { join } from "node:path";
import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { type AccessTargets, accessStatements, applyAccessIdentity, type FunctionNeeds } from "./access-policy.ts";
import { acknowledgeFunctionFindings } from "./nag.ts";

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

/** What the data and IoT stacks offer to functions. */
export interface PlatformResources extends AccessTargets {
  settings: FunctionSettings;
  /** The account's IoT data-plane (ATS) endpoint, resolved at deploy time. */
  iotDataEndpoint(): string;
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
}

export class WardenFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

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
    const granted: FunctionNeeds = { ...needs, notify: !!needs.notify && platform.settings.notifier === "aws" };
    for (const statement of accessStatements(this, granted, platform)) this.role.addToPrincipalPolicy(statement);
    // Token-signer tag, scanner role path, scan-schedule variables (access-policy.ts).
    const accessEnvironment = applyAccessIdentity(this, this.role, granted, platform);

    const s = platform.settings;
    const environment: Record<string, string> = {
      // The bundles ship source maps, so stack traces in the logs point at the TypeScript sources.
      NODE_OPTIONS: "--enable-source-maps",
      WARDEN_LOG_LEVEL: s.logLevel,
      WARDEN_ISSUER: s.issuer,
      WARDEN_AUDIENCE: s.audience,
      WARDEN_TOKEN_TTL_SECONDS: String(s.tokenTtlSeconds),
      ...props.environment,
    };
    if (needs.table || needs.rateLimit) environment.TABLE_NAME = platform.tableName;
    if (needs.jwtSign || needs.jwtPublicKey || needs.verifyTokens) environment.JWT_KMS_KEY_ID = platform.jwtKey.keyArn;
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
    });

    acknowledgeFunctionFindings(
      this,
      granted,
      platform.stateMachineNamePrefix,
      platform.blobBucketName,
      platform.scanSchedules ? platform.names : undefined,
    );
  }
}
