/**
 * The Device Shadow service of AWS IoT Core, in memory: named (and classic) shadows with desired,
 * reported, computed delta, per-leaf metadata, a version that only grows, `clientToken` echo,
 * optimistic locking (409), the 8 KB state limit (413) and request validation (400).
 *
 * Transport-free: MQTT and HTTP adapters call `update`/`get`/`delete` and forward the
 * `publish` events (…/update/accepted, …/update/documents, …/update/delta, …/delete/accepted) that
 * AWS broadcasts for every accepted change, whichever API made it.
 */
import { EventEmitter } from "node:events";
import {
  computeDelta,
  isJsonObject,
  type JsonObject,
  jsonSize,
  mergeMetadata,
  mergeState,
  nestingDepth,
  pickMetadata,
} from "./shadow-document.ts";
import { type ShadowResponseSuffix, shadowTopic } from "./shadow-topics.ts";

/** IoT Core's limits for a shadow (AWS IoT Core service quotas, Device Shadow). */
export const SHADOW_LIMITS = {
  stateBytes: 8192,
  depth: 6,
  clientTokenBytes: 64,
} as const;

const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const SHADOW_NAME = /^[a-zA-Z0-9:_-]{1,64}$/;

export interface ShadowError {
  code: number;
  message: string;
  timestamp: number;
  clientToken?: string;
}

export type ShadowResult<T> = { kind: "accepted"; document: T } | { kind: "rejected"; error: ShadowError };

export interface ShadowDocument {
  state: { desired?: JsonObject; reported?: JsonObject; delta?: JsonObject };
  metadata: { desired?: JsonObject; reported?: JsonObject };
  version: number;
  timestamp: number;
  clientToken?: string;
}

export interface UpdateAcceptedDocument {
  state: { desired?: JsonObject | null; reported?: JsonObject | null };
  metadata: { desired?: JsonObject; reported?: JsonObject };
  version: number;
  timestamp: number;
  clientToken?: string;
}

export interface DeleteAcceptedDocument {
  version: number;
  timestamp: number;
  clientToken?: string;
}

export interface ShadowPublication {
  thing: string;
  shadowName: string;
  topic: string;
  /** A JSON document; transports serialize it with JSON.stringify. */
  payload: object;
}

interface StoredShadow {
  desired?: JsonObject;
  reported?: JsonObject;
  metaDesired?: JsonObject;
  metaReported?: JsonObject;
  version: number;
}

interface ShadowServiceEvents {
  publish: [ShadowPublication];
}

class RequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class ShadowService extends EventEmitter<ShadowServiceEvents> {
  private readonly shadows = new Map<string, StoredShadow>();
  /** Deleting a shadow does not reset its version: a re-created shadow continues from here. */
  private readonly deletedVersions = new Map<string, number>();
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    super();
    this.now = opts.now ?? Date.now;
  }

  update(thing: string, shadowName: string, request: unknown): ShadowResult<UpdateAcceptedDocument> {
    const timestamp = this.timestamp();
    let clientToken: string | undefined;
    try {
      checkNames(thing, shadowName);
      const body = parseBody(request, false);
      clientToken = readClientToken(body);
      const { desired, reported } = readState(body);
      const requestState: JsonObject = {};
      if (desired !== undefined) requestState.desired = desired;
      if (reported !== undefined) requestState.reported = reported;
      if (jsonSize(requestState) > SHADOW_LIMITS.stateBytes) throw new RequestError(413, "Payload too large");

      const key = keyOf(thing, shadowName);
      const current = this.shadows.get(key);
      const expected = body.version;
      if (expected !== undefined) {
        if (typeof expected !== "number" || !Number.isInteger(expected)) throw new RequestError(400, "Invalid version");
        if (current && expected !== current.version) throw new RequestError(409, "Version conflict");
      }

      const next: StoredShadow = {
        ...current,
        version: (current?.version ?? this.deletedVersions.get(key) ?? 0) + 1,
      };
      const metadata: UpdateAcceptedDocument["metadata"] = {};
      if (desired === null) {
        delete next.desired;
        delete next.metaDesired;
      } else if (desired) {
        next.desired = mergeState(current?.desired, desired);
        next.metaDesired = mergeMetadata(current?.metaDesired, desired, timestamp);
        metadata.desired = mergeMetadata(undefined, desired, timestamp);
      }
      if (reported === null) {
        delete next.reported;
        delete next.metaReported;
      } else if (reported) {
        next.reported = mergeState(current?.reported, reported);
        next.metaReported = mergeMetadata(current?.metaReported, reported, timestamp);
        metadata.reported = mergeMetadata(undefined, reported, timestamp);
      }
      if (jsonSize(storedState(next)) > SHADOW_LIMITS.stateBytes) throw new RequestError(413, "Payload too large");

      this.shadows.set(key, next);
      this.deletedVersions.delete(key);

      const accepted: UpdateAcceptedDocument = {
        state: requestState,
        metadata,
        version: next.version,
        timestamp,
        ...(clientToken !== undefined && { clientToken }),
      };
      this.publish(thing, shadowName, "update/accepted", accepted);
      this.publish(thing, shadowName, "update/documents", {
        ...(current && { previous: snapshot(current) }),
        current: snapshot(next),
        timestamp,
        ...(clientToken !== undefined && { clientToken }),
      });
      const delta = desired ? computeDelta(next.desired, next.reported) : undefined;
      if (delta) {
        this.publish(thing, shadowName, "update/delta", {
          version: next.version,
          timestamp,
          state: delta,
          metadata: pickMetadata(delta, next.metaDesired),
          ...(clientToken !== undefined && { clientToken }),
        });
      }
      return { kind: "accepted", document: accepted };
    } catch (e) {
      return rejected(e, timestamp, clientToken);
    }
  }

  get(thing: string, shadowName: string, request: unknown = ""): ShadowResult<ShadowDocument> {
    const timestamp = this.timestamp();
    let clientToken: string | undefined;
    try {
      checkNames(thing, shadowName);
      clientToken = readClientToken(parseBody(request, true));
      const stored = this.shadows.get(keyOf(thing, shadowName));
      if (!stored) throw notFound(thing, shadowName);
      const delta = computeDelta(stored.desired, stored.reported);
      const document: ShadowDocument = {
        state: {
          ...(stored.desired && { desired: stored.desired }),
          ...(stored.reported && { reported: stored.reported }),
          ...(delta && { delta }),
        },
        metadata: {
          ...(stored.metaDesired && { desired: stored.metaDesired }),
          ...(stored.metaReported && { reported: stored.metaReported }),
        },
        version: stored.version,
        timestamp,
        ...(clientToken !== undefined && { clientToken }),
      };
      return { kind: "accepted", document };
    } catch (e) {
      return rejected(e, timestamp, clientToken);
    }
  }

  delete(thing: string, shadowName: string, request: unknown = ""): ShadowResult<DeleteAcceptedDocument> {
    const timestamp = this.timestamp();
    let clientToken: string | undefined;
    try {
      checkNames(thing, shadowName);
      clientToken = readClientToken(parseBody(request, true));
      const key = keyOf(thing, shadowName);
      const stored = this.shadows.get(key);
      if (!stored) throw notFound(thing, shadowName);
      this.shadows.delete(key);
      this.deletedVersions.set(key, stored.version);
      const document: DeleteAcceptedDocument = {
        version: stored.version,
        timestamp,
        ...(clientToken !== undefined && { clientToken }),
      };
      this.publish(thing, shadowName, "delete/accepted", document);
      return { kind: "accepted", document };
    } catch (e) {
      return rejected(e, timestamp, clientToken);
    }
  }

  /** Names of a thing's named shadows (the classic shadow is not listed, as in IoT Core). */
  listNamedShadows(thing: string): string[] {
    const prefix = keyOf(thing, "");
    return [...this.shadows.keys()]
      .filter((k) => k.startsWith(prefix) && k.length > prefix.length)
      .map((k) => k.slice(prefix.length))
      .sort();
  }

  private timestamp(): number {
    return Math.floor(this.now() / 1000);
  }

  private publish(thing: string, shadowName: string, suffix: ShadowResponseSuffix, payload: object) {
    this.emit("publish", { thing, shadowName, topic: shadowTopic(thing, shadowName, suffix), payload });
  }
}

function keyOf(thing: string, shadowName: string): string {
  return `${thing}\u0000${shadowName}`;
}

function checkNames(thing: string, shadowName: string) {
  if (!THING_NAME.test(thing)) throw new RequestError(400, "Invalid thing name");
  if (shadowName !== "" && !SHADOW_NAME.test(shadowName)) throw new RequestError(400, "Invalid shadow name");
}

function notFound(thing: string, shadowName: string): RequestError {
  return new RequestError(404, `No shadow exists with name: '${shadowName === "" ? thing : shadowName}'`);
}

function parseBody(request: unknown, emptyAllowed: boolean): JsonObject {
  let parsed: unknown = request;
  if (typeof request === "string" || request instanceof Uint8Array) {
    const text = typeof request === "string" ? request : Buffer.from(request).toString("utf8");
    if (text.trim() === "") {
      if (emptyAllowed) return {};
      throw new RequestError(400, "Missing required node: state");
    }
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RequestError(400, "Invalid JSON");
    }
  }
  if (!isJsonObject(parsed)) throw new RequestError(400, "Invalid JSON");
  return parsed;
}

function readClientToken(body: JsonObject): string | undefined {
  const token = body.clientToken;
  if (token === undefined) return undefined;
  if (typeof token !== "string") throw new RequestError(400, "clientToken must be a string");
  if (Buffer.byteLength(token) > SHADOW_LIMITS.clientTokenBytes) {
    throw new RequestError(400, `clientToken must be at most ${SHADOW_LIMITS.clientTokenBytes} bytes`);
  }
  return token;
}

function readState(body: JsonObject): { desired?: JsonObject | null; reported?: JsonObject | null } {
  const state = body.state;
  if (state === undefined) throw new RequestError(400, "Missing required node: state");
  if (!isJsonObject(state)) throw new RequestError(400, "State node must be an object");
  return { desired: readSection(state, "desired"), reported: readSection(state, "reported") };
}

function readSection(state: JsonObject, name: "desired" | "reported"): JsonObject | null | undefined {
  const section = state[name];
  if (section === undefined || section === null) return section;
  if (!isJsonObject(section))
    throw new RequestError(400, `${name === "desired" ? "Desired" : "Reported"} node must be an object`);
  if (nestingDepth(section) > SHADOW_LIMITS.depth) {
    throw new RequestError(400, `JSON contains too many levels of nesting; maximum is ${SHADOW_LIMITS.depth}`);
  }
  return section;
}

function storedState(shadow: StoredShadow): JsonObject {
  return {
    ...(shadow.desired && { desired: shadow.desired }),
    ...(shadow.reported && { reported: shadow.reported }),
  };
}

function snapshot(shadow: StoredShadow): JsonObject {
  return {
    state: storedState(shadow),
    metadata: {
      ...(shadow.metaDesired && { desired: shadow.metaDesired }),
      ...(shadow.metaReported && { reported: shadow.metaReported }),
    },
    version: shadow.version,
  };
}

function rejected(
  e: unknown,
  timestamp: number,
  clientToken: string | undefined,
): { kind: "rejected"; error: ShadowError } {
  if (!(e instanceof RequestError)) throw e;
  return {
    kind: "rejected",
    error: { code: e.code, message: e.message, timestamp, ...(clientToken !== undefined && { clientToken }) },
  };
}
