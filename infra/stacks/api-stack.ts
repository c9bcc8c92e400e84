/**
 * The HTTP API itself (`ApiStack`: the API and its access-log group) and its `$default` stage
 * (`ApiStageStack`: throttles, access logs, the optional custom domain). Routes and their functions
 * live in the route stacks, which reference this API across stacks so that no stack passes
 * CloudFormation's resource limit.
 *
 * The stage is a stack of its own, deployed after every route stack: per-route throttles are stage
 * `RouteSettings` keyed by route key, and API Gateway refuses a setting for a route that does not
 * exist yet ("Unable to find Route by key"), so the stage can only be written once the routes are.
 */
import { CfnOutput, Fn, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  ApiMapping,
  type CfnStage,
  DomainName,
  HttpApi,
  HttpStage,
  type IHttpApi,
  LogGroupLogDestination,
  SecurityPolicy,
} from "aws-cdk-lib/aws-apigatewayv2";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import { type ILogGroup, LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";

export interface Throttle {
  /** Steady requests per second. */
  rateLimit: number;
  /** Token-bucket size: requests that may arrive at once. */
  burstLimit: number;
}

export interface ApiStackProps extends StackProps {
  /**
   * Set when a custom domain fronts the API: the `execute-api` endpoint is then switched off, so
   * every call goes through the domain (and its TLS policy), never around it.
   */
  disableExecuteApiEndpoint?: boolean;
}

/** HTTP API ($context) variables worth keeping per request; never headers, bodies or tokens. */
const ACCESS_LOG_FIELDS = {
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  integrationError: "$context.integrationErrorMessage",
  userAgent: "$context.identity.userAgent",
};

/**
 * An HTTP API holds at most 300 integrations (a hard quota) and this app makes one per HTTP row.
 * Synth refuses more, so the ceiling is met at synth time, not half-way through a deploy (README
 * "Deploy": how the app is to be split when it gets there).
 */
export const MAX_INTEGRATIONS_PER_HTTP_API = 300;

export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ApiStackProps = {}) {
    super(scope, id, props);

    // No CORS preflight: the API serves scripts and back ends; a browser front end opts in later.
    this.api = new HttpApi(this, "HttpApi", {
      description: "Warden control plane",
      createDefaultStage: false,
      ...(props.disableExecuteApiEndpoint && { disableExecuteApiEndpoint: true }),
    });
    // Kept here (not with the stage) so the access logs outlive any change to the stage.
    this.accessLogs = new LogGroup(this, "AccessLogs", { retention: RetentionDays.ONE_YEAR });
  }
}

export interface CustomDomain {
  /** e.g. `api.example.com`; point its DNS (CNAME or alias) at the `DomainTarget` output. */
  domainName: string;
  /** An ACM certificate for the name, in the deploy region (a regional endpoint). */
  certificateArn: string;
}

export interface ApiStageStackProps extends StackProps {
  api: IHttpApi;
  accessLogs: ILogGroup;
  /** Stage-wide defaults; per-tenant limits are enforced in-function by the endpoint kit. */
  throttle?: Throttle;
  /** Route key (`POST /api/auth/login`) → its own limits, overriding the stage-wide ones. */
  routeThrottles?: Record<string, Throttle>;
  domain?: CustomDomain;
  /**
   * Per-route 4xx/5xx/latency metrics (`-c apiRouteMetrics=true`), graphed by the monitoring
   * dashboard. Off by default: CloudWatch bills them as custom metrics, six per route that sees traffic.
   */
  detailedMetrics?: boolean;
}

export class ApiStageStack extends Stack {
  readonly stage: HttpStage;
  readonly domainName?: DomainName;
  /** Where callers reach the API: the custom domain when there is one, else the execute-api URL. */
  readonly url: string;
  /** Host name (no scheme) of `url`, e.g. for a CloudFront origin. */
  readonly host: string;

  constructor(scope: Construct, id: string, props: ApiStageStackProps) {
    super(scope, id, props);

    this.stage = new HttpStage(this, "DefaultStage", {
      httpApi: props.api,
      stageName: "$default",
      // Routes and integrations change with their stacks; the functions behind them change only
      // through their `live` alias (WardenFunction), so an auto-deployed route never runs $LATEST.
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 1000, burstLimit: 500 },
      detailedMetricsEnabled: props.detailedMetrics ?? false,
      accessLogSettings: {
        destination: new LogGroupLogDestination(props.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const routeSettings = Object.fromEntries(
      Object.entries(props.routeThrottles ?? {}).map(([key, t]) => [
        key,
        // CloudFormation's property names: RouteSettings is untyped JSON, CDK does not rename its keys.
        { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit },
      ]),
    );
    if (Object.keys(routeSettings).length > 0) {
      (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    }

    this.url = this.stage.url;
    this.host = Fn.select(2, Fn.split("/", this.stage.url));
    if (props.domain) {
      this.domainName = new DomainName(this, "DomainName", {
        domainName: props.domain.domainName,
        certificate: Certificate.fromCertificateArn(this, "Certificate", props.domain.certificateArn),
        securityPolicy: SecurityPolicy.TLS_1_2,
      });
      new ApiMapping(this, "ApiMapping", { api: props.api, domainName: this.domainName, stage: this.stage });
      this.url = `https://${props.domain.domainName}/`;
      this.host = props.domain.domainName;
      new CfnOutput(this, "DomainTarget", {
        value: this.domainName.regionalDomainName,
        description: `Point ${props.domain.domainName} (CNAME or Route 53 alias) here`,
      });
    }

    new CfnOutput(this, "ApiUrl", { value: this.url, description: "Base URL of the Warden API" });
  }
}
