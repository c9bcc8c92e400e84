/**
 * cdk-nag NIST 800-53 rev 5 acknowledgements, each with its reason. The pack runs beside
 * AwsSolutions at every synth (app-factory.ts) and in the infra tests. What was real is fixed in the
 * constructs (reserved concurrency where a flood could starve the rest, WAF logging with the
 * credentials redacted, termination protection on the data stack); what is left is acknowledged
 * here, per resource kind, after the whole app is built (`acknowledgeNist80053R5(app)`).
 *
 * Rules the app passes without help (and must keep passing): KMS key rotation, PITR, S3 SSL-only,
 * KMS default encryption and public-access blocks, log group retention, no admin or full-access
 * IAM statements, no public function URLs.
 */
import { Stack, Validations } from "aws-cdk-lib";
import { CfnAlarm } from "aws-cdk-lib/aws-cloudwatch";
import { CfnTable } from "aws-cdk-lib/aws-dynamodb";
import { CfnPolicy } from "aws-cdk-lib/aws-iam";
import { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { CfnLogGroup } from "aws-cdk-lib/aws-logs";
import { CfnBucket } from "aws-cdk-lib/aws-s3";
import type { IConstruct } from "constructs";

const rule = (name: string) => `NIST.800.53.R5-${name}`;

function ack(scope: IConstruct, name: string, reason: string) {
  Validations.of(scope).acknowledge({ id: rule(name), reason });
}

const NO_VPC =
  "Warden's functions reach only AWS APIs (DynamoDB, KMS, IoT, S3, Step Functions, SES/SNS) over TLS with " +
  "per-function IAM; there is no private network resource to reach. A VPC would add NAT gateways or a dozen " +
  "interface endpoints per AZ (the biggest idle cost of the deployment) and cold-start latency, for no boundary " +
  "that IAM does not already draw.";

const NO_RESERVATION =
  "Reserved concurrency is set where a flood could starve the rest: the public sign-in routes, the IoT ingest " +
  "and every worker (-c reservedAuth/reservedIngest/reservedWorker). The other routes share the unreserved " +
  "pool and are capped by their per-route API Gateway throttles; reserving for each of ~190 routes would " +
  "exceed the account's 1,000 and leave Lambda less than its required 100 unreserved.";

/** How cdk-nag's LambdaDLQ (a function-level DeadLetterConfig, used by asynchronous invokes only) applies. */
function dlqReason(description: string): string {
  const worker = /^Worker \S+ \(([a-z-]+)\)/.exec(description)?.[1];
  if (worker === "table-stream")
    return (
      "Invoked by a DynamoDB stream event source mapping, which ignores a function-level DLQ: failed batches " +
      "are bisected, retried, dropped after an hour and reported per item (reportBatchItemFailures); where they " +
      "go after that is the mapping's on-failure destination (issue 17, 'nothing lost silently')."
    );
  if (worker === "schedule" || description.startsWith("IoT ingest"))
    return (
      "Invoked asynchronously (EventBridge schedule / IoT topic rule). A lost scheduled tick is made up by the " +
      "next one; failed ingest invocations are meant to go to the function's on-failure destination " +
      "(EventInvokeConfig, issue 17 'nothing lost silently'), which supersedes the legacy DeadLetterConfig."
    );
  if (worker === "none")
    return (
      "Invoked synchronously by Step Functions (a task) or API Gateway (the WebSocket authorizer): the caller " +
      "receives the error and retries per its own policy; a DLQ is never used for synchronous invokes."
    );
  if (/^[A-Z]+ \//.test(description) || description.includes("$connect"))
    return (
      "An API route's function, invoked synchronously by API Gateway: the caller gets the error envelope and " +
      "decides whether to retry; a DLQ is never used for synchronous invokes."
    );
  return (
    "A CloudFormation custom-resource provider (aws-cdk-lib), invoked synchronously by CloudFormation during " +
    "deploys only; a failure fails the deploy, nothing is lost."
  );
}

export function acknowledgeNist80053R5(scope: IConstruct): void {
  for (const node of scope.node.findAll()) {
    if (node instanceof CfnFunction) {
      const description = Stack.of(node).resolve(node.description) ?? "";
      ack(node, "LambdaInsideVPC", NO_VPC);
      ack(node, "LambdaDLQ", dlqReason(typeof description === "string" ? description : ""));
      if (node.reservedConcurrentExecutions === undefined) ack(node, "LambdaConcurrency", NO_RESERVATION);
    } else if (node instanceof CfnPolicy) {
      ack(
        node,
        "IAMNoInlinePolicy",
        "Each role's policy is generated for that one function from its route row's `access` (least privilege " +
          "per function, asserted by the infra tests); as a managed policy it would be the same document with a " +
          "second lifecycle and a way to attach it to other roles, which is what per-function roles avoid.",
      );
    } else if (node instanceof CfnLogGroup) {
      ack(
        node,
        "CloudWatchLogGroupEncrypted",
        "CloudWatch Logs encrypts every log group at rest with service-owned keys. Warden logs no secret, token, " +
          "key or request body (the endpoint kit logs ids, routes and outcomes; the access logs keep $context " +
          "fields only; WAF logs redact credentials), so a customer-managed key would add cost and a key policy " +
          "to maintain without protecting anything the logs hold.",
      );
    } else if (node instanceof CfnBucket) {
      ack(
        node,
        "S3BucketLoggingEnabled",
        "Every read and write of a blob goes through a Warden route that writes the tenant's audit trail (who, " +
          "what, when); server access logs would need a second bucket and duplicate that record.",
      );
      ack(
        node,
        "S3BucketVersioningEnabled",
        "Blobs are written once under fresh keys and expire by their retention tag (backups, uploads, models); " +
          "versioning would keep deleted and expired objects beyond the retention the tenant chose, which a " +
          "deletion request must not leave behind. Point-in-time history of the records lives in the table's PITR.",
      );
      ack(
        node,
        "S3BucketReplicationEnabled",
        "Cross-region replication needs a second region's bucket and KMS key, a decision of the installation's " +
          "disaster-recovery plan rather than of the app; the bucket is KMS-encrypted, SSL-only and retained.",
      );
    } else if (node instanceof CfnTable) {
      ack(
        node,
        "DynamoDBInBackupPlan",
        "The table has point-in-time recovery (35 days, to the second) and deletion protection, and its stack " +
          "termination protection; an AWS Backup plan (long-term or cross-account copies) is the installation's " +
          "choice and its cost, added outside the app.",
      );
    } else if (node instanceof CfnAlarm) {
      ack(
        node,
        "CloudWatchAlarmAction",
        "A canary's rollback alarm: CodeDeploy reads its state during the traffic shift and rolls the alias " +
          "back; notifying people is the monitoring alarms' job, not this one's.",
      );
    }
  }
}
