/**
 * The event the IoT topic rule hands to the ingest function (infra/stacks/iot-stack.ts):
 * the device's payload, base64, beside the topic `warden/<tenant>/<thing>/events`.
 */
export function ruleEvent(tenant: string, thing: string, payload: unknown) {
  return {
    payload: Buffer.from(JSON.stringify(payload)).toString("base64"),
    topic: `warden/${tenant}/${thing}/events`,
  };
}

/**
 * Wraps an ingest handler for tests written against `{ ...payload, tenant, thing }`: tenant and
 * thing become the topic, the rest the payload. Without them there is no topic, as for a message
 * the rule would never deliver.
 */
export function viaTopicRule<R>(handler: (event: unknown) => Promise<R>) {
  return (event: Record<string, unknown>): Promise<R> => {
    const { tenant, thing, ...payload } = event;
    if (typeof tenant !== "string" || typeof thing !== "string") return handler({ payload: "" });
    return handler(ruleEvent(tenant, thing, payload));
  };
}
