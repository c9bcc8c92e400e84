/**
 * The one IoT policy every gateway certificate gets, rendered as a pure function so it can be read
 * and tested on its own. It is a template: IoT Core substitutes the thing policy variables per
 * connection, from the thing the presented certificate is attached to (AttachThingPrincipal), so
 * one static policy confines each gateway to its own resources:
 *   - connect only when the certificate is attached to a thing, and only with that thing's name as
 *     MQTT client id;
 *   - publish `get` and `update` on its own named shadows `firewall` and `ssh`, and receive and
 *     subscribe on exactly the replies the edge listens to (edge/edge.ts `start`);
 *   - publish on its own event topic `warden/<tenant>/<thing>/events`, the tenant being the thing's
 *     `tenant` attribute, which only the registry sets (at CreateThing);
 *   - subscribe to and receive on its own keys topic `warden/<tenant>/<thing>/keys`, where the cloud
 *     hands over a private key once (sealed to a one-time key of the gateway): no other device may
 *     listen there.
 * No resource holds a wildcard: every topic names the connecting thing.
 */

import { eventsTopic, keysTopic, namedShadowTopic, SHADOW_NAMES, type ShadowName } from "#edge/contract.ts";

/** The named shadows a gateway syncs (the edge contract's); each is one settings area of the API. */
export const GATEWAY_SHADOWS = SHADOW_NAMES;
export type GatewayShadow = ShadowName;
export { eventsTopic, keysTopic };

/**
 * Things are `warden_<tenant>_<gateway id>`. The separator is `_` because tenant ids (shared/tenancy/
 * tenants.ts `tenantSlug`: lowercase letters, digits, single `-`) cannot contain it, so the IAM
 * pattern `thing/warden_${aws:PrincipalTag/tenant}_*` matches exactly one tenant's things (with `-`,
 * `warden-acme-*` would also match tenant `acme-corp`'s). Gateways registered before this naming
 * keep their stored `warden-<tenant>-<id>` name (LEGACY_THING_PREFIX): workers still reach them, a
 * tenant session does not (README "Upgrade notes").
 */
export const THING_PREFIX = "warden_";
export const THING_SEPARATOR = "_";
export const LEGACY_THING_PREFIX = "warden-";
/** Prefix of the static gateway policy's name (unchanged by the thing naming). */
export const POLICY_PREFIX = "warden-";

/** The thing attribute the events topic is confined by; set by the registry, never by a device. */
export const TENANT_ATTRIBUTE = "tenant";

/** Default name of the static gateway policy (the IoT stack may add its deployment prefix). */
export const GATEWAY_POLICY_NAME = `${POLICY_PREFIX}gateway`;

/** Thing policy variables, as IoT Core spells them inside a policy document. */
export const POLICY_VARIABLES = {
  thingName: `\${iot:Connection.Thing.ThingName}`,
  tenant: `\${iot:Connection.Thing.Attributes[${TENANT_ATTRIBUTE}]}`,
  isAttached: "iot:Connection.Thing.IsAttached",
} as const;

/** Shadow requests the edge publishes (edge/edge.ts: `get` at every connect, `update` to report). */
export const SHADOW_REQUESTS = ["get", "update"] as const;
/** Shadow replies the edge subscribes to (edge/edge.ts `start`), and nothing else. */
export const SHADOW_REPLIES = [
  "get/accepted",
  "get/rejected",
  "update/documents",
  "update/delta",
  "update/rejected",
] as const;

/** `warden_<tenant>_<gateway id>`: one name for the thing and its MQTT client id. */
export function thingNameOf(tenantId: string, gatewayId: number): string {
  return `${THING_PREFIX}${tenantId}${THING_SEPARATOR}${gatewayId}`;
}

/** The IAM glob of one tenant's things (`tenant` may be the policy variable `${aws:PrincipalTag/tenant}`). */
export function tenantThingPattern(tenant: string): string {
  return `${THING_PREFIX}${tenant}${THING_SEPARATOR}*`;
}

/** Whether `thingName` is one of `tenantId`'s things under the current naming (never a legacy name). */
export function isTenantThing(tenantId: string, thingName: string): boolean {
  const prefix = `${THING_PREFIX}${tenantId}${THING_SEPARATOR}`;
  return thingName.startsWith(prefix) && thingName.length > prefix.length;
}

/** The health probe's thing: no tenant's (it has no second separator, so no tenant pattern matches it). */
export const HEALTH_PROBE_THING = `${THING_PREFIX}health-probe`;

/** The IoT actions on things a route's access declares (shared/kit/route.ts `Access`). */
export interface IotNeeds {
  iotShadows?: boolean;
  iotShadowsRead?: boolean;
  iotRegistry?: "register" | "deregister";
}

export const SHADOW_WRITE_ACTIONS = ["iot:GetThingShadow", "iot:UpdateThingShadow", "iot:DeleteThingShadow"];
export const SHADOW_READ_ACTIONS = ["iot:GetThingShadow"];
/** Deregistering (and undoing a failed registration) on the thing: detach and delete, no create. */
export const THING_UNDO_ACTIONS = ["iot:DeleteThing", "iot:DetachThingPrincipal"];
export const THING_CREATE_ACTIONS = ["iot:CreateThing", "iot:AttachThingPrincipal"];

/** Actions on `thing/…` resources the access needs (certificates and policies are not things). */
export function thingActions(needs: IotNeeds): string[] {
  const actions = new Set<string>();
  for (const a of needs.iotShadows ? SHADOW_WRITE_ACTIONS : needs.iotShadowsRead ? SHADOW_READ_ACTIONS : []) {
    actions.add(a);
  }
  if (needs.iotRegistry) for (const a of THING_UNDO_ACTIONS) actions.add(a);
  if (needs.iotRegistry === "register") for (const a of THING_CREATE_ACTIONS) actions.add(a);
  return [...actions];
}

/** Every action on things a tenant session may ever be granted (the tenant-access role's IoT statement). */
export const TENANT_THING_ACTIONS = thingActions({ iotShadows: true, iotRegistry: "register" });

export function shadowTopicFilter(thingName: string, shadow: GatewayShadow): string {
  return namedShadowTopic(thingName, shadow, "*");
}

/** Where the policy lives. In CDK these are the stack's partition/region/account tokens. */
export interface PolicyPlacement {
  partition: string;
  region: string;
  accountId: string;
}

export interface PolicyStatement {
  Effect: "Allow";
  Action: string;
  Resource: string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function renderGatewayPolicy(at: PolicyPlacement): PolicyDocument {
  const arn = (type: string, name: string) => `arn:${at.partition}:iot:${at.region}:${at.accountId}:${type}/${name}`;
  const thing = POLICY_VARIABLES.thingName;
  const shadowTopics = (suffixes: readonly string[]) =>
    GATEWAY_SHADOWS.flatMap((shadow) => suffixes.map((suffix) => namedShadowTopic(thing, shadow, suffix)));
  const published = [...shadowTopics(SHADOW_REQUESTS), eventsTopic(POLICY_VARIABLES.tenant, thing)];
  const replies = [...shadowTopics(SHADOW_REPLIES), keysTopic(POLICY_VARIABLES.tenant, thing)];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: "iot:Connect",
        Resource: [arn("client", thing)],
        // Without this, a certificate attached to no thing would be evaluated with empty variables.
        Condition: { Bool: { [POLICY_VARIABLES.isAttached]: "true" } },
      },
      { Effect: "Allow", Action: "iot:Publish", Resource: published.map((t) => arn("topic", t)) },
      { Effect: "Allow", Action: "iot:Receive", Resource: replies.map((t) => arn("topic", t)) },
      // Subscribe is authorized against topic filters, which have their own resource type.
      { Effect: "Allow", Action: "iot:Subscribe", Resource: replies.map((t) => arn("topicfilter", t)) },
    ],
  };
}
