/**
 * cdk-nag's Serverless pack, acknowledged where Warden deliberately differs, each with its
 * reason (the pack runs in the infra tests beside AwsSolutions: test/infra/monitoring.test.ts).
 * What it found and was fixed instead: on-failure destinations for every asynchronous and stream
 * function (LambdaAsyncFailureDestination, LambdaEventSourceMappingDestination), EventBridge
 * targets with a dead-letter queue (EventBusDLQ). Already satisfied: active tracing, explicit
 * memory and timeout, log retention, stage access logs and throttling, state-machine tracing.
 */
import { Stack, Validations } from "aws-cdk-lib";
import { CfnStage } from "aws-cdk-lib/aws-apigatewayv2";
import { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { CfnSubscription } from "aws-cdk-lib/aws-sns";
import type { IConstruct } from "constructs";

function ack(scope: IConstruct, rule: string, reason: string) {
  Validations.of(scope).acknowledge({ id: `Serverless-${rule}`, reason });
}

const RUNTIME =
  "Node.js 22 is deliberate: it is the LTS line the bundles target (esbuild target node22), the engines field " +
  "requires, and local mode and the tests run on; a newer runtime is a planned upgrade of all three together.";

const NO_DLQ_CONFIG =
  "Warden uses Lambda on-failure destinations, not the older DeadLetterConfig: every function invoked " +
  "asynchronously (IoT rule, schedules) or by the table stream sends what fails after its retries to its own " +
  "encrypted SQS on-failure queue (infra/constructs/monitoring-failure-queue.ts; test/infra/monitoring.test.ts " +
  "proves each has one), which also carries the error and the request context a DLQ drops. Every other function " +
  "is invoked synchronously (API routes, WebSocket routes and their authorizer, Step Functions tasks): its caller " +
  "receives the error (the state machines retry and catch), so there is no event to park.";

/** Every Warden function (one line in nag.ts's acknowledgeFunctionFindings). */
export function acknowledgeServerlessFunction(scope: IConstruct): void {
  ack(scope, "LambdaDLQ", NO_DLQ_CONFIG);
  ack(scope, "LambdaLatestVersion", RUNTIME);
}

/** A function's on-failure queue: the end of the line, not a queue with consumers. */
export function acknowledgeServerlessFailureQueue(queue: IConstruct): void {
  ack(
    queue,
    "SQSRedrivePolicy",
    "This queue is itself the dead end of a function's failed invocations (Lambda on-failure destination, EventBridge DLQ); it has no consumer whose failures a redrive policy would catch. People and tools/redrive.ts read it; its depth is alarmed.",
  );
}

/**
 * App-wide findings on constructs Warden does not build itself or cannot configure: the AWS
 * custom-resource provider behind the IoT endpoint lookup, the WebSocket stages, the alert
 * e-mail subscription. Called once by the app factory after every stack exists.
 */
export function acknowledgeServerlessApp(app: IConstruct): void {
  for (const c of app.node.findAll()) {
    if (c instanceof CfnFunction && /^AWS679f53fac002430cb0da5b7982bd2287$/.test(c.node.scope?.node.id ?? "")) {
      const reason =
        "The aws-cdk-lib AwsCustomResource provider (one per stack, it runs iot:DescribeEndpoint once per deploy) is " +
        "built by CDK with its own runtime, memory and no tracing; CloudFormation invokes it synchronously and " +
        "reports its failure as a failed deployment.";
      for (const rule of ["LambdaDLQ", "LambdaLatestVersion", "LambdaDefaultMemorySize", "LambdaTracing"])
        ack(c, rule, reason);
    }
    if (c instanceof CfnStage && Stack.of(c).resolve(c.stageName) !== "$default") {
      ack(
        c,
        "APIGWAccessLogging",
        "WebSocket stage access logs require the account-wide API Gateway CloudWatch role (AWS::ApiGateway::Account), which one application's stack must not take over; the authorizer and the stream functions log every connect, refusal, message and disconnect instead.",
      );
    }
    if (c instanceof CfnSubscription && Stack.of(c).resolve(c.protocol) === "email") {
      ack(
        c,
        "SNSRedrivePolicy",
        "The alert e-mail subscription (-c alertEmail): a dead-letter queue for undeliverable alert mail would itself need an alarm, and that alarm could only notify through this same topic; SNS delivery-status logging and the alarms' own state in CloudWatch remain.",
      );
    }
  }
}
