/**
 * The IoT policy of one gateway, rendered as a pure function so it can be read and tested on its
 * own. A gateway's certificate may do exactly this and nothing more:
 *   - connect with its own thing name as MQTT client id;
 *   - publish, receive and subscribe on its own named shadows `firewall` and `ssh`
 *     (`$aws/things/<thing>/shadow/name/<shadow>/*`: get, update, delete and their replies);
 *   - publish, receive and subscribe on its own event topic `warden/<tenant>/<thing>/events`.
 * No wildcard crosses into another thing's or tenant's topics: every resource names the thing.
 */

import { eventsTopic, namedShadowTopic, SHADOW_NAMES, type ShadowName } from "#edge/contract.ts";

/** The named shadows a gateway syncs (the edge contract's); each is one settings area of the API. */
export const GATEWAY_SHADOWS = SHADOW_NAMES;
export type GatewayShadow = ShadowName;
export { eventsTopic };

export const THING_PREFIX = "warden-";

export interface PolicyTarget {
  partition: string;
  region: string;
  accountId: string;
  tenantId: string;
  thingName: string;
}

/** `warden-<tenant>-<gateway id>`: one name for the thing, its policy and its MQTT client id. */
export function thingNameOf(tenantId: string, gatewayId: number): string {
  return `${THING_PREFIX}${tenantId}-${gatewayId}`;
}

export function shadowTopicFilter(thingName: string, shadow: GatewayShadow): string {
  return namedShadowTopic(thingName, shadow, "*");
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: { Effect: "Allow"; Action: string; Resource: string[] }[];
}

export function renderGatewayPolicy(t: PolicyTarget): PolicyDocument {
  const arn = (type: string, name: string) => `arn:${t.partition}:iot:${t.region}:${t.accountId}:${type}/${name}`;
  const topics = [
    ...GATEWAY_SHADOWS.map((s) => shadowTopicFilter(t.thingName, s)),
    eventsTopic(t.tenantId, t.thingName),
  ];
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "iot:Connect", Resource: [arn("client", t.thingName)] },
      { Effect: "Allow", Action: "iot:Publish", Resource: topics.map((topic) => arn("topic", topic)) },
      { Effect: "Allow", Action: "iot:Receive", Resource: topics.map((topic) => arn("topic", topic)) },
      // Subscribe is authorized against topic filters, which have their own resource type.
      { Effect: "Allow", Action: "iot:Subscribe", Resource: topics.map((topic) => arn("topicfilter", topic)) },
    ],
  };
}

/** Region, account and partition of an IoT ARN (the certificate's), so the policy names the real account. */
export function arnParts(arn: string): { partition: string; region: string; accountId: string } {
  const [, partition = "aws", service, region = "", accountId = ""] = arn.split(":");
  if (service !== "iot" || !region || !accountId) throw new Error(`not an IoT ARN: ${arn}`);
  return { partition, region, accountId };
}
