/**
 * IoT Core wiring: the topic rule that feeds gateway events to the ingest worker(s), and the
 * account's data-plane endpoint for functions that register gateways, touch shadows or publish.
 *
 * The gateway policy: one static `AWS::IoT::Policy`, rendered by `shared/iot/policy.ts` with thing
 * policy variables (`${iot:Connection.Thing.ThingName}`, the thing's `tenant` attribute), so each
 * connected gateway is confined to its own client id, shadows and events topic. It exists when
 * some function registers gateways (`gatewayPolicyName`); the registry functions only attach and
 * detach it, so their roles can neither create nor delete policies.
 */
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { CfnPolicy, CfnTopicRule } from "aws-cdk-lib/aws-iot";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { renderGatewayPolicy } from "#shared/iot/policy.ts";
import { SHADOW_DOCUMENTS_TOPIC_FILTER, SYNC_REPORTED_FIELDS } from "#shared/realtime/shadow-reports.ts";
import { IOT_NAMES } from "../constructs/access-policy.ts";
import { IotDataEndpoint } from "../constructs/iot-data-endpoint.ts";
import { type PlatformResources, WardenFunction } from "../constructs/warden-function.ts";
import type { Worker } from "../workers.ts";

/** Gateways publish their events here: `warden/<tenant>/<gateway>/events`. */
export const GATEWAY_EVENTS_TOPIC = IOT_NAMES.eventsTopicFilter;

/**
 * True when a reported field differs between the shadow's previous and current document, including
 * appearing or disappearing. Every operand of OR is Boolean whatever the document holds (IoT SQL's
 * `<>` and OR give Undefined on an absent field, which would drop the message).
 */
function reportedChanged(field: string): string {
  const p = `previous.state.reported.${field}`;
  const c = `current.state.reported.${field}`;
  return (
    `(CASE isUndefined(${p}) OR isUndefined(${c}) ` +
    `WHEN true THEN NOT (isUndefined(${p}) AND isUndefined(${c})) ELSE ${p} <> ${c} END)`
  );
}

/**
 * The shadow rule: a named shadow's full-document message, reduced to the reported states before and
 * after, only when a gateway's sync state (status, config_version, failed_version, drift) changed, so
 * posture refreshes and the cloud's own desired writes invoke nothing.
 */
export const SHADOW_SYNC_SQL =
  "SELECT previous.state.reported AS previous, current.state.reported AS current, topic() AS topic " +
  `FROM '${SHADOW_DOCUMENTS_TOPIC_FILTER}' WHERE ${SYNC_REPORTED_FIELDS.map(reportedChanged).join(" OR ")}`;

export interface IotStackProps extends StackProps {
  /**
   * Workers with trigger "iot-events" (the gateway events rule's targets) or "iot-shadow-documents"
   * (the shadow rule's); none of a kind means no rule of that kind.
   */
  ingestWorkers: Worker[];
  assetsDir: string;
  /** Table and keys (the IoT endpoint is this stack's own contribution). */
  platform: Omit<PlatformResources, "iotDataEndpoint">;
  /** Set when some function registers gateways: the name of the static gateway policy to create. */
  gatewayPolicyName?: string;
}

export class IotStack extends Stack {
  readonly ingestFunctions = new Map<string, WardenFunction>();
  readonly topicRule?: CfnTopicRule;
  /** The rule on the named shadows' `update/documents` (gateway-reported sync states). */
  readonly shadowRule?: CfnTopicRule;
  readonly gatewayPolicy?: CfnPolicy;
  private endpoint?: IotDataEndpoint;

  constructor(scope: Construct, id: string, props: IotStackProps) {
    super(scope, id, props);
    const platform: PlatformResources = { ...props.platform, iotDataEndpoint: () => this.iotDataEndpoint() };

    if (props.gatewayPolicyName) {
      // The registry functions' IAM allows attaching only `policy/<this name>`, under Warden's prefix.
      if (!props.gatewayPolicyName.startsWith(IOT_NAMES.policyPrefix)) {
        throw new Error(`IoT policy '${props.gatewayPolicyName}' must start with '${IOT_NAMES.policyPrefix}'`);
      }
      // ARNs from the stack's own pseudo parameters (Ref AWS::Partition/Region/AccountId joined in),
      // not Fn::Sub, so the `${iot:…}` policy variables reach IoT Core untouched.
      this.gatewayPolicy = new CfnPolicy(this, "GatewayPolicy", {
        policyName: props.gatewayPolicyName,
        policyDocument: renderGatewayPolicy({
          partition: this.partition,
          region: this.region,
          accountId: this.account,
        }),
      });
    }

    for (const worker of props.ingestWorkers) {
      const fn = new WardenFunction(this, worker.id, {
        functionId: worker.id,
        assetsDir: props.assetsDir,
        description:
          worker.trigger === "iot-shadow-documents"
            ? `Worker ${worker.id} (${worker.trigger}: ${SHADOW_DOCUMENTS_TOPIC_FILTER})`
            : `IoT ingest: ${GATEWAY_EVENTS_TOPIC}`,
        needs: worker.access,
        platform,
        // The shadow worker only posts to sockets: a worker's reservation (its bursts wait in the
        // async queue) rather than the ingest's.
        ...(platform.concurrency && {
          reservedConcurrency:
            worker.trigger === "iot-shadow-documents" ? platform.concurrency.worker : platform.concurrency.ingest,
        }),
      });
      // The rule invokes asynchronously: an event the ingest still fails after Lambda's two retries
      // (or older than an hour: gateways re-report their state) is kept with its payload and the
      // error in the function's on-failure queue. The rule's error action covers only failing to invoke.
      fn.alias.configureAsyncInvoke({
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        onFailure: new SqsDestination(fn.keepFailures()),
      });
      this.ingestFunctions.set(worker.id, fn);
    }
    if (this.ingestFunctions.size === 0) return;

    // Failed deliveries (throttled or failing ingest) are kept for a week instead of vanishing.
    const errors = new LogGroup(this, "TopicRuleErrors", { retention: RetentionDays.ONE_WEEK });
    const errorRole = new Role(this, "TopicRuleErrorRole", { assumedBy: new ServicePrincipal("iot.amazonaws.com") });
    errorRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        resources: [errors.logGroupArn],
      }),
    );

    const errorAction = { cloudwatchLogs: { logGroupName: errors.logGroupName, roleArn: errorRole.roleArn } };
    const targets = (trigger: Worker["trigger"]) =>
      props.ingestWorkers.flatMap((w) => {
        const fn = w.trigger === trigger ? this.ingestFunctions.get(w.id) : undefined;
        return fn ? [fn] : [];
      });
    const allow = (rule: CfnTopicRule, fns: WardenFunction[]) => {
      for (const fn of fns) {
        fn.alias.addPermission("IotRuleInvoke", {
          principal: new ServicePrincipal("iot.amazonaws.com"),
          sourceArn: rule.attrArn,
          sourceAccount: this.account,
        });
      }
    };

    const shadowTargets = targets("iot-shadow-documents");
    if (shadowTargets.length > 0) {
      this.shadowRule = new CfnTopicRule(this, "GatewayShadowSyncRule", {
        topicRulePayload: {
          description: "Gateways' reported sync states (named shadows' update/documents) to the realtime worker",
          awsIotSqlVersion: "2016-03-23",
          // The topic (the shadow service's own, on the thing's shadow) is authoritative for tenant,
          // gateway and area; the worker reads them from it, never from the document.
          sql: SHADOW_SYNC_SQL,
          ruleDisabled: false,
          actions: shadowTargets.map((fn) => ({ lambda: { functionArn: fn.alias.functionArn } })),
          errorAction,
        },
      });
      allow(this.shadowRule, shadowTargets);
    }

    const eventTargets = targets("iot-events");
    if (eventTargets.length === 0) return;
    this.topicRule = new CfnTopicRule(this, "GatewayEventsRule", {
      topicRulePayload: {
        description: "Gateway events to the ingest worker",
        awsIotSqlVersion: "2016-03-23",
        // The topic is authoritative for tenant and gateway (each thing's policy confines it to its
        // own topic). The payload stays opaque (base64) beside it: merged into one object, a device
        // could add its own `tenant` key and claim another tenant's gateway.
        sql: `SELECT encode(*, 'base64') AS payload, topic() AS topic FROM '${GATEWAY_EVENTS_TOPIC}'`,
        ruleDisabled: false,
        actions: eventTargets.map((fn) => ({ lambda: { functionArn: fn.alias.functionArn } })),
        errorAction,
      },
    });
    allow(this.topicRule, eventTargets);
  }

  /** Created on first use, so an app without shadow or publish functions has no lookup at all. */
  iotDataEndpoint(): string {
    this.endpoint ??= new IotDataEndpoint(this, "IotDataEndpoint");
    return this.endpoint.address;
  }
}
