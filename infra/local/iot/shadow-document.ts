/**
 * The JSON algebra of a device shadow, as AWS IoT Core applies it: merge a request's state into
 * the stored state (null deletes), keep per-leaf metadata timestamps, and compute the delta between
 * desired and reported. Pure functions: no clock, no I/O.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Nesting depth of objects and arrays (a scalar is 0, `{}` is 1). */
export function nestingDepth(value: JsonValue): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(nestingDepth));
  if (isJsonObject(value)) return 1 + Math.max(0, ...Object.values(value).map(nestingDepth));
  return 0;
}

/** Metadata mirrors the value: objects by key, arrays element by element, a leaf is `{timestamp}`. */
export function metadataFor(value: JsonValue, timestamp: number): JsonValue {
  if (Array.isArray(value)) return value.map((item) => metadataFor(item, timestamp));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null) out[k] = metadataFor(v, timestamp);
    }
    return out;
  }
  return { timestamp };
}

/**
 * Applies a partial update: keys set to null are removed, objects merge recursively, anything
 * else (scalars, arrays) replaces the stored value. Returns new objects; inputs are not mutated.
 */
export function mergeState(current: JsonObject | undefined, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else if (isJsonObject(value)) {
      const existing = out[key];
      out[key] = mergeState(isJsonObject(existing) ? existing : undefined, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** A leaf's metadata is exactly `{timestamp: number}`; a state key named "timestamp" maps to an object. */
function isLeafMetadata(meta: JsonObject): boolean {
  const keys = Object.keys(meta);
  return keys.length === 1 && typeof meta.timestamp === "number";
}

/** The metadata tree after the same patch: touched leaves get the new timestamp. */
export function mergeMetadata(current: JsonObject | undefined, patch: JsonObject, timestamp: number): JsonObject {
  const out: JsonObject = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else if (isJsonObject(value)) {
      const existing = out[key];
      out[key] = mergeMetadata(
        isJsonObject(existing) && !isLeafMetadata(existing) ? existing : undefined,
        value,
        timestamp,
      );
    } else {
      out[key] = metadataFor(value, timestamp);
    }
  }
  return out;
}

/**
 * Desired values that reported does not match. Objects compare key by key (recursively); arrays and
 * scalars compare as whole values. Undefined when nothing differs.
 */
export function computeDelta(
  desired: JsonObject | undefined,
  reported: JsonObject | undefined,
): JsonObject | undefined {
  if (!desired) return undefined;
  const delta: JsonObject = {};
  for (const [key, want] of Object.entries(desired)) {
    const have = reported?.[key];
    if (isJsonObject(want) && isJsonObject(have)) {
      const nested = computeDelta(want, have);
      if (nested) delta[key] = nested;
    } else if (!deepEqual(want, have)) {
      delta[key] = want;
    }
  }
  return Object.keys(delta).length > 0 ? delta : undefined;
}

/** The part of a metadata tree that covers the keys of `shape` (used for the delta's metadata). */
export function pickMetadata(shape: JsonObject, metadata: JsonObject | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(shape)) {
    const meta = metadata?.[key];
    if (meta === undefined) continue;
    out[key] = isJsonObject(value) && isJsonObject(meta) && !isLeafMetadata(meta) ? pickMetadata(value, meta) : meta;
  }
  return out;
}

/** Size as IoT Core counts it: the UTF-8 bytes of the JSON text without whitespace. */
export function jsonSize(value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}
