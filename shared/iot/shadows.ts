/**
 * Named device shadows through the IoT data plane (@aws-sdk/client-iot-data-plane). The same
 * client talks to AWS IoT Core (the account's ATS data endpoint) and to the local IoT Core
 * (`IOT_DATA_ENDPOINT`, with dummy credentials). The cloud writes `desired` only; `reported` is
 * the device's. IoT errors become typed errors: 409 version conflict, 413 too large.
 */
import type { IoTDataPlaneClient } from "@aws-sdk/client-iot-data-plane";
import * as z from "zod/mini";
import { SHADOW_STATE_LIMIT_BYTES } from "#edge/contract.ts";
import { config } from "#shared/kit/config.ts";
import { Conflict, PayloadTooLarge } from "#shared/kit/errors.ts";
import { onFirstUse } from "#shared/kit/lazy.ts";
import { checkThingAccess, iotTenant } from "./session.ts";

const local = config.IOT_DATA_ENDPOINT !== undefined;

const endpointConfig = local
  ? { endpoint: config.IOT_DATA_ENDPOINT }
  : config.IOT_ENDPOINT_ADDRESS
    ? { endpoint: `https://${config.IOT_ENDPOINT_ADDRESS}` }
    : {};

type IotDataSdk = typeof import("@aws-sdk/client-iot-data-plane");

/**
 * The SDK module, imported on first use: ~75 functions reach this module through area roots and
 * most never call a shadow on their route; they neither load the IoT data-plane client's code nor
 * set it up at their cold start (a failed import is retried by the next call).
 */
const iotDataSdk = onFirstUse<IotDataSdk>(() => import("@aws-sdk/client-iot-data-plane"));

/**
 * The function's own client (its Lambda role): workers, public routes, and calls outside a tenant
 * session. Built on first use.
 */
let ownBuilt: IoTDataPlaneClient | undefined;
const ownClient = (sdk: IotDataSdk): IoTDataPlaneClient =>
  (ownBuilt ??= new sdk.IoTDataPlaneClient({
    region: config.AWS_REGION,
    ...endpointConfig,
    // The local IoT Core accepts any credentials; fixed ones keep local mode free of an AWS profile.
    ...(local ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  }));

/** Clients per tenant session (its credentials), per container; a renewed session gets a new client. */
const tenantClients = new Map<string, IoTDataPlaneClient>();
const CLIENTS_MAX = 100;

/**
 * The client for a call on `thingName`: inside a tenant session (session.ts) one signed with the
 * tenant's credentials, after refusing what the session may not do; elsewhere the own client.
 */
async function clientFor(action: string, thingName: string): Promise<{ sdk: IotDataSdk; client: IoTDataPlaneClient }> {
  // The session is read, and the call checked against it, before anything is awaited.
  const access = iotTenant();
  if (access) checkThingAccess(action, thingName, access);
  const sdk = await iotDataSdk();
  if (!access) return { sdk, client: ownClient(sdk) };
  const id = access.credentials.accessKeyId;
  let client = tenantClients.get(id);
  if (!client) {
    client = new sdk.IoTDataPlaneClient({
      region: config.AWS_REGION,
      ...endpointConfig,
      credentials: access.credentials,
      requestHandler: ownClient(sdk).config.requestHandler,
    });
    if (tenantClients.size >= CLIENTS_MAX) tenantClients.delete(tenantClients.keys().next().value ?? "");
    tenantClients.set(id, client);
  }
  return { sdk, client };
}

/** IoT Core's limit for the state of one shadow (desired and reported together), as the edge contract states it. */
export { SHADOW_STATE_LIMIT_BYTES };

const Section = z.record(z.string(), z.unknown());

const ShadowEnvelope = z.object({
  state: z._default(
    z.object({ desired: z.optional(Section), reported: z.optional(Section), delta: z.optional(Section) }),
    {},
  ),
  version: z.number(),
  timestamp: z.optional(z.number()),
  metadata: z.optional(z.unknown()),
});

export type ShadowSection = z.infer<typeof Section>;

export interface Shadow {
  desired?: ShadowSection;
  reported?: ShadowSection;
  delta?: ShadowSection;
  version: number;
}

const errorName = (e: unknown) => (e as { name?: string }).name;

/**
 * IoT Core refused the call for the account's (or the thing's) data-plane rate: 429
 * ThrottlingException, after the SDK's own retries. Callers that write many shadows retry it with
 * jittered backoff (shared/fleet/fleet-sync.ts).
 */
export class ShadowThrottled extends Error {
  override name = "ShadowThrottled";
}

function throttled(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return errorName(e) === "ThrottlingException" || status === 429;
}

function decode(payload: Uint8Array | undefined): unknown {
  return JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString("utf8"));
}

/** The shadow, or undefined when it does not exist (yet). */
export async function getShadow(thingName: string, shadowName: string): Promise<Shadow | undefined> {
  try {
    const { sdk, client } = await clientFor("iot:GetThingShadow", thingName);
    const out = await client.send(new sdk.GetThingShadowCommand({ thingName, shadowName }));
    const parsed = ShadowEnvelope.parse(decode(out.payload));
    return { ...parsed.state, version: parsed.version };
  } catch (e) {
    if (errorName(e) === "ResourceNotFoundException") return undefined;
    if (throttled(e)) throw new ShadowThrottled(`reading shadow '${shadowName}' of ${thingName} was throttled`);
    throw e;
  }
}

/**
 * Writes `desired` (merged by IoT Core: objects merge, arrays and scalars replace, null deletes).
 * With `expectedVersion` the write only lands on that shadow version (409 otherwise).
 */
export async function updateDesired(
  thingName: string,
  shadowName: string,
  desired: Record<string, unknown> | null,
  expectedVersion?: number,
): Promise<{ version: number }> {
  const body = { state: { desired }, ...(expectedVersion !== undefined ? { version: expectedVersion } : {}) };
  try {
    const { sdk, client } = await clientFor("iot:UpdateThingShadow", thingName);
    const out = await client.send(
      new sdk.UpdateThingShadowCommand({ thingName, shadowName, payload: Buffer.from(JSON.stringify(body)) }),
    );
    const parsed = z.object({ version: z.number() }).parse(decode(out.payload));
    return { version: parsed.version };
  } catch (e) {
    if (errorName(e) === "ConflictException") {
      throw new Conflict(`shadow '${shadowName}' of ${thingName} changed concurrently (version conflict)`);
    }
    if (throttled(e)) throw new ShadowThrottled(`writing shadow '${shadowName}' of ${thingName} was throttled`);
    if (errorName(e) === "RequestEntityTooLargeException") {
      throw new PayloadTooLarge(
        `shadow '${shadowName}' of ${thingName} would exceed ${SHADOW_STATE_LIMIT_BYTES} bytes`,
      );
    }
    throw e;
  }
}

export async function deleteShadow(thingName: string, shadowName: string): Promise<void> {
  try {
    const { sdk, client } = await clientFor("iot:DeleteThingShadow", thingName);
    await client.send(new sdk.DeleteThingShadowCommand({ thingName, shadowName }));
  } catch (e) {
    if (errorName(e) !== "ResourceNotFoundException") throw e;
  }
}
