/**
 * The HTTP API itself: one API, its `$default` stage with access logs and throttling. Routes and
 * their functions live in the route stacks, which reference this API across stacks so that no
 * stack passes CloudFormation's resource limit.
 */
import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpStage, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";

export interface ApiStackProps extends StackProps {
  /** Stage-wide defaults; per-tenant limits are enforced in-function by the endpoint kit. */
  throttle?: { rateLimit: number; burstLimit: number };
  /**
   * Per-route 4xx/5xx/latency metrics (`-c apiRouteMetrics=true`), graphed by the monitoring
   * dashboard. Off by default: CloudWatch bills them as custom metrics, six per route that sees traffic.
   */
  detailedMetrics?: boolean;
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

export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: ApiStackProps = {}) {
    super(scope, id, props);

    // No CORS preflight: the API serves scripts and back ends; a browser front end opts in later.
    this.api = new HttpApi(this, "HttpApi", {
      description: "Warden control plane",
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, "AccessLogs", { retention: RetentionDays.ONE_YEAR });
    this.stage = new HttpStage(this, "DefaultStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 1000, burstLimit: 500 },
      detailedMetricsEnabled: props.detailedMetrics ?? false,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    new CfnOutput(this, "ApiUrl", { value: this.stage.url, description: "Base URL of the Warden API" });
  }
}
