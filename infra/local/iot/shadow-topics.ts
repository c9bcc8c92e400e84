/**
 * AWS IoT Core's reserved shadow topics. Named shadows live under
 * `$aws/things/{thing}/shadow/name/{shadow}/…`, the classic shadow under `$aws/things/{thing}/shadow/…`.
 */

export type ShadowOperation = "get" | "update" | "delete";

export type ShadowResponseSuffix =
  | "get/accepted"
  | "get/rejected"
  | "update/accepted"
  | "update/rejected"
  | "update/delta"
  | "update/documents"
  | "delete/accepted"
  | "delete/rejected";

/** The classic (unnamed) shadow is addressed with an empty shadow name. */
export const CLASSIC_SHADOW = "";

export function shadowTopicPrefix(thing: string, shadowName: string): string {
  return shadowName === CLASSIC_SHADOW
    ? `$aws/things/${thing}/shadow`
    : `$aws/things/${thing}/shadow/name/${shadowName}`;
}

export function shadowTopic(thing: string, shadowName: string, suffix: ShadowOperation | ShadowResponseSuffix): string {
  return `${shadowTopicPrefix(thing, shadowName)}/${suffix}`;
}

/** Topic filters the shadow service listens on (named and classic, for each operation). */
const OPERATIONS: readonly ShadowOperation[] = ["get", "update", "delete"];

export const SHADOW_REQUEST_FILTERS: readonly string[] = OPERATIONS.flatMap((op) => [
  `$aws/things/+/shadow/name/+/${op}`,
  `$aws/things/+/shadow/${op}`,
]);

const REQUEST_TOPIC = /^\$aws\/things\/([^/]+)\/shadow(?:\/name\/([^/]+))?\/(get|update|delete)$/;

export function parseShadowRequestTopic(
  topic: string,
): { thing: string; shadowName: string; operation: ShadowOperation } | undefined {
  const m = REQUEST_TOPIC.exec(topic);
  const operation = OPERATIONS.find((op) => op === m?.[3]);
  if (!m?.[1] || !operation) return undefined;
  return { thing: m[1], shadowName: m[2] ?? CLASSIC_SHADOW, operation };
}
