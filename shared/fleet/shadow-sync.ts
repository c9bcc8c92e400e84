/**
 * How a settings change reaches the fleet. One flow for every area (firewall, ssh):
 *
 *   load the area (all scopes, one Query) and, never the fleet: for a tenant-wide change the
 *     number of registered gateways (one GetItem), for one gateway's overrides that gateway
 *   → apply the change to the scope's document (tenant-wide, or one gateway's overrides)
 *   → render the desired shadow document the change produces and MEASURE it: the tenant-wide
 *     document once (what every gateway without overrides runs) and each gateway's with overrides
 *     (the area's own scopes name them); a document over budget is refused with 413 before
 *     anything is saved
 *   → save the scope as the area's next config version (optimistic lock: a concurrent change is a 409)
 *   → answer at once; the `fleet-sync` workflow (fan-out.ts starts it, fleet-sync.ts is its work)
 *     writes `desired` to the named shadow of each affected gateway and records each outcome.
 *     (`changeAreaInline` writes inside the call instead: one gateway's certificates, from a step
 *     of the renewal workflow.)
 *
 * The shadow write is ordered by config version, not by arrival: it reads the shadow, skips when
 * the shadow already asks for this or a newer version, and writes conditioned on the shadow version
 * it read (IoT Core answers 409 if another writer got in between; we re-read and try again). So two
 * changes racing each other can never leave a gateway on the older one.
 */

import {
  describeIssues,
  REPORTED_STATE_MAX_BYTES,
  ReportedStateSchema,
  SHADOW_STATE_LIMIT_BYTES,
} from "#edge/contract.ts";
import { registeredDevices } from "#shared/billing/limits.ts";
import {
  type Area,
  type AreaState,
  headVersion,
  loadArea,
  type ScopeId,
  saveScopes,
} from "#shared/fleet/db/fleet-config.ts";
import { type Gateway, getGateway, listGateways } from "#shared/fleet/db/gateways.ts";
import type { SyncOutcome } from "#shared/fleet/db/sync-outcomes.ts";
import { getShadow, type Shadow, updateDesired } from "#shared/iot/shadows.ts";
import { Conflict, Invalid, NotFound, PayloadTooLarge } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { countEvent } from "#shared/kit/metrics.ts";
import { type FanOutReceipt, startFanOut } from "./fan-out.ts";

/**
 * IoT Core counts desired and reported together against 8 KB: `{"desired":…,"reported":…}`. The
 * edge keeps its report within the contract's REPORTED_STATE_MAX_BYTES; that, plus the bytes that
 * join the two sections, is kept free, and the desired document must fit in the rest.
 */
export const REPORTED_RESERVE_BYTES = REPORTED_STATE_MAX_BYTES + ',"reported":'.length;
export const DESIRED_BUDGET_BYTES = SHADOW_STATE_LIMIT_BYTES - REPORTED_RESERVE_BYTES;

export type DesiredDocument = Record<string, unknown>;

/** The edge contract's schema of a desired document (zod, as edge/contract.ts declares it). */
export interface ContractSchema {
  safeParse(doc: unknown): { success: true } | { success: false; error: Parameters<typeof describeIssues>[0] };
}

/** An area's rules for turning stored scope documents into a gateway's desired shadow document. */
export interface AreaSpec<D, E> {
  area: Area;
  parse(doc: unknown): D;
  /** The tenant-wide document and a gateway's overrides (if any) → what that gateway should run. */
  merge(tenant: D, overlay: D | undefined, now: Date): E;
  render(effective: E, configVersion: number, now: Date): DesiredDocument;
  /** The contract the edge validates the document with; the cloud checks it first. */
  contract: ContractSchema;
}

/** Bytes of `{"desired": doc}` as IoT Core counts them (UTF-8 JSON without whitespace). */
export function desiredSize(doc: DesiredDocument): number {
  return Buffer.byteLength(JSON.stringify({ desired: doc }), "utf8");
}

/**
 * The API validates every field before it gets here, so a document the edge contract refuses is a
 * gap between the two validations; it is refused (400) rather than sent to a gateway that would
 * report it as failed.
 */
export function assertContract(spec: { area: Area; contract: ContractSchema }, doc: DesiredDocument): void {
  const checked = spec.contract.safeParse(doc);
  if (!checked.success) {
    const detail = describeIssues(checked.error);
    throw new Invalid(`body: the resulting ${spec.area} configuration breaks the gateway contract: ${detail}`, [
      { loc: ["body"], msg: detail, type: "value_error.contract" },
    ]);
  }
}

export function assertFits(area: Area, doc: DesiredDocument, where: string): void {
  const size = desiredSize(doc);
  if (size > DESIRED_BUDGET_BYTES) {
    throw new PayloadTooLarge(
      `The ${area} shadow document for ${where} would be ${size} bytes; the limit is ${DESIRED_BUDGET_BYTES} bytes ` +
        `(IoT Core's ${SHADOW_STATE_LIMIT_BYTES}-byte shadow state minus ${REPORTED_RESERVE_BYTES} kept for the gateway's report). Nothing was saved.`,
    );
  }
}

export interface AreaSnapshot<D> {
  state: AreaState;
  /**
   * The gateways the snapshot was loaded with (the fleet, by default). A change's snapshot
   * (`changeArea`) holds only the gateway a per-gateway change targets, and none for a tenant-wide
   * change: the gateways with overrides are the keys of `overlays`.
   */
  gateways: Gateway[];
  tenantDoc: D;
  overlays: Map<number, D>;
  /** The config version each gateway's shadow should carry: the newer of tenant-wide and its overrides. */
  versionOf(gatewayId: number): number;
  docOf(scope: ScopeId): D;
}

/** One Query for the area, one for the fleet (skipped when the caller already has the fleet). */
export async function loadSnapshot<D>(
  spec: AreaSpec<D, unknown>,
  tenantId: string,
  fleet?: Gateway[],
): Promise<AreaSnapshot<D>> {
  const [state, gateways] = await Promise.all([loadArea(tenantId, spec.area), fleet ?? listGateways(tenantId)]);
  return snapshotOf(spec, state, gateways);
}

/**
 * The area's snapshot without reading the fleet: every stored override is kept (deregistering a
 * gateway deletes its overrides, so these are the registered gateways' own), `gateways` is empty.
 */
export async function loadStoredSnapshot<D>(spec: AreaSpec<D, unknown>, tenantId: string): Promise<AreaSnapshot<D>> {
  return snapshotOf(spec, await loadArea(tenantId, spec.area), [], "stored");
}

function snapshotOf<D>(
  spec: AreaSpec<D, unknown>,
  state: AreaState,
  gateways: Gateway[],
  live: Set<number> | "stored" = new Set(gateways.map((g) => g.id)),
): AreaSnapshot<D> {
  let tenantDoc = spec.parse({});
  let tenantVersion = 0;
  const overlays = new Map<number, D>();
  const overlayVersions = new Map<number, number>();
  for (const s of state.scopes) {
    if (s.scope === "tenant") {
      tenantDoc = spec.parse(s.doc);
      tenantVersion = s.configVersion;
    } else if (live === "stored" || live.has(s.scope)) {
      overlays.set(s.scope, spec.parse(s.doc));
      overlayVersions.set(s.scope, s.configVersion);
    }
  }
  return {
    state,
    gateways,
    tenantDoc,
    overlays,
    versionOf: (id) => Math.max(tenantVersion, overlayVersions.get(id) ?? 0),
    docOf: (scope) => (scope === "tenant" ? tenantDoc : (overlays.get(scope) ?? spec.parse({}))),
  };
}

/** The gateway a request names, or a 404 naming the field (another tenant's id is simply unknown). */
export function requireGateway(
  gateways: Gateway[],
  gatewayId: number,
  field: string[] = ["body", "gateway_id"],
): Gateway {
  const g = gateways.find((x) => x.id === gatewayId);
  if (!g) throw new NotFound(`${field.join(".")}: no gateway ${gatewayId}`);
  return g;
}

export interface PushReport {
  targeted: number;
  written: number;
  failed: { gateway_id: number; error: string }[];
}

export interface ChangeOutcome<R, S = FanOutReceipt> {
  result: R;
  configVersion: number;
  /** True when what any affected gateway renders changed (a reload on the device). */
  deviceChanged: boolean;
  sync: S;
}

const sameIgnoringVersion = (a: DesiredDocument, b: DesiredDocument) =>
  JSON.stringify({ ...a, config_version: 0 }) === JSON.stringify({ ...b, config_version: 0 });

type Mutate<D, R> = (current: D, snap: AreaSnapshot<D>) => Promise<{ next: D; result: R }> | { next: D; result: R };
interface ChangeInput {
  tenantId: string;
  scope: ScopeId;
  by: string;
  now?: Date;
}

/**
 * Applies `mutate` to one scope of an area, saves it as the next config version and answers at once;
 * the `fleet-sync` workflow carries it to the affected gateways (see the file comment). `mutate` sees
 * the current scope document and the whole snapshot, validates, and returns the next document;
 * throwing leaves everything as it was.
 */
export async function changeArea<D extends Record<string, unknown>, E, R>(
  spec: AreaSpec<D, E>,
  input: ChangeInput,
  mutate: Mutate<D, R>,
): Promise<ChangeOutcome<R>> {
  const saved = await saveChange(spec, input, mutate);
  const sync = await startFanOut({
    tenantId: input.tenantId,
    area: spec.area,
    configVersion: saved.configVersion,
    targets: saved.fleet === undefined ? { gateways: [saved.gateway.id] } : { all: true, count: saved.fleet },
    by: input.by,
  });
  return { result: saved.result, configVersion: saved.configVersion, deviceChanged: saved.deviceChanged, sync };
}

/**
 * `changeArea` that writes the shadows inside the call and answers what it wrote: for a change of
 * one gateway made by a workflow step that needs the shadow written before it goes on (certificates).
 */
export async function changeAreaInline<D extends Record<string, unknown>, E, R>(
  spec: AreaSpec<D, E>,
  input: ChangeInput,
  mutate: Mutate<D, R>,
): Promise<ChangeOutcome<R, PushReport>> {
  const misuse = () => new Error("changeAreaInline writes one gateway's overrides, not the fleet");
  if (input.scope === "tenant") throw misuse();
  const saved = await saveChange(spec, input, mutate);
  if (!saved.gateway) throw misuse();
  const { gateway } = saved;
  const sync = await pushDesired(
    spec.area,
    [{ gateway, doc: saved.desired.get(gateway.id) ?? {} }],
    saved.configVersion,
  );
  return { result: saved.result, configVersion: saved.configVersion, deviceChanged: saved.deviceChanged, sync };
}

type SavedChange<R> = {
  result: R;
  configVersion: number;
  deviceChanged: boolean;
  /** What the change renders per gateway with overrides (and, per-gateway change, its gateway). */
  desired: Map<number, DesiredDocument>;
} & (
  | { fleet: number; gateway?: undefined } // tenant-wide: how many gateways are registered
  | { fleet?: undefined; gateway: Gateway } // one gateway's overrides
);

/**
 * How many gateways the tenant has registered: the device-slot counter (one GetItem); a fleet
 * registered before the counter existed is counted once by listing it.
 */
async function fleetSize(tenantId: string): Promise<number> {
  return (await registeredDevices(tenantId)) ?? (await listGateways(tenantId)).length;
}

/**
 * Validates, measures and saves a change without reading the fleet: the area (one Query) and the
 * fleet's size (tenant-wide) or the one gateway (per-gateway) are all it reads, so its cost does
 * not grow with the number of gateways (only with the gateways that have overrides of their own).
 */
async function saveChange<D extends Record<string, unknown>, E, R>(
  spec: AreaSpec<D, E>,
  input: ChangeInput,
  mutate: Mutate<D, R>,
): Promise<SavedChange<R>> {
  const now = input.now ?? new Date();
  const scope = input.scope;
  const [stored, target, fleet] = await Promise.all([
    loadArea(input.tenantId, spec.area),
    scope === "tenant" ? undefined : getGateway(input.tenantId, scope, true),
    scope === "tenant" ? fleetSize(input.tenantId) : undefined,
  ]);
  if (scope !== "tenant" && !target) throw new NotFound(`body.gateway_id: no gateway ${scope}`);
  const snap = snapshotOf(spec, stored, target ? [target] : [], "stored");
  const { next, result } = await mutate(snap.docOf(scope), snap);
  const configVersion = snap.state.version + 1;

  const nextTenant = scope === "tenant" ? next : snap.tenantDoc;
  const overlayAfter = (id: number) => (scope === id ? next : snap.overlays.get(id));
  const renderFor = (tenant: D, overlay: D | undefined, version: number) =>
    spec.render(spec.merge(tenant, overlay, now), version, now);

  // Measure before saving. A tenant-wide change: the tenant-wide document (what every gateway
  // without overrides, and a new one, receives; rendered once) and every gateway with overrides.
  // A per-gateway change: that gateway's document.
  const withOverrides = scope === "tenant" ? [...snap.overlays.keys()] : [scope];
  const desired = new Map<number, DesiredDocument>();
  if (scope === "tenant") {
    const plainDoc = renderFor(nextTenant, undefined, configVersion);
    assertContract(spec, plainDoc);
    assertFits(spec.area, plainDoc, "the tenant's gateways");
  }
  for (const id of withOverrides) {
    const overlay = overlayAfter(id);
    const doc = renderFor(nextTenant, overlay, configVersion);
    assertContract(spec, doc);
    assertFits(spec.area, doc, target ? `gateway ${id} (${target.name})` : `gateway ${id}`);
    desired.set(id, doc);
  }
  const changedFor = (id: number) =>
    !sameIgnoringVersion(renderFor(snap.tenantDoc, snap.overlays.get(id), 0), desired.get(id) ?? {});
  const plainChanged = () =>
    !sameIgnoringVersion(renderFor(snap.tenantDoc, undefined, 0), renderFor(nextTenant, undefined, 0));
  // Tenant-wide: a reload on any gateway without overrides (or on none registered: what the next
  // one runs) when the plain document changed, or on a gateway with overrides whose own changed.
  const deviceChanged =
    scope === "tenant"
      ? ((fleet ?? 0) > withOverrides.length || (fleet ?? 0) === 0 ? plainChanged() : false) ||
        withOverrides.some(changedFor)
      : changedFor(scope);

  const saved = await saveScopes(input.tenantId, spec.area, snap.state.version, [{ scope, doc: next }], input.by);
  const common = { result, configVersion: saved, deviceChanged, desired };
  return target ? { ...common, gateway: target } : { ...common, fleet: fleet ?? 0 };
}

/** Renders a gateway's current desired document for an area (registration writes it to a new gateway). */
export function desiredFor<D, E>(
  spec: AreaSpec<D, E>,
  snap: AreaSnapshot<D>,
  gatewayId: number,
  now = new Date(),
): DesiredDocument {
  return spec.render(spec.merge(snap.tenantDoc, snap.overlays.get(gatewayId), now), snap.versionOf(gatewayId), now);
}

const PUSH_CONCURRENCY = 16;
const PUSH_ATTEMPTS = 5;

async function mapLimit<T, U>(items: T[], limit: number, fn: (item: T) => Promise<U>): Promise<U[]> {
  const out: U[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Keys present in the shadow's current desired but absent from the new document are set to null,
 * so IoT Core's merge leaves exactly the new document (objects merge; arrays and scalars replace).
 */
export function replacementPatch(
  current: Record<string, unknown> | undefined,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const [key, value] of Object.entries(current ?? {})) {
    const wanted = next[key];
    if (wanted === undefined) patch[key] = null;
    else if (isPlainObject(value) && isPlainObject(wanted)) patch[key] = replacementPatch(value, wanted);
  }
  return patch;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Writes one gateway's desired document unless its shadow already asks for a newer version the
 * cloud saved. A desired version above anything the cloud ever saved was not written by Warden
 * (the table is the source of truth): it is replaced.
 */
export async function writeDesiredOrdered(
  gateway: Gateway,
  area: Area,
  doc: DesiredDocument,
): Promise<"written" | "newer"> {
  const version = Number(doc.config_version ?? 0);
  for (let attempt = 1; ; attempt++) {
    const shadow = await getShadow(gateway.thingName, area);
    // The edge clears `desired` once it runs it, so the version it reports applied counts too: a
    // late write of an older change must not undo a newer one the gateway already runs.
    const applied = shadow?.reported?.status === "applied" ? Number(shadow.reported.config_version ?? 0) : 0;
    const current = Math.max(Number(shadow?.desired?.config_version ?? 0), applied);
    if (current > version && current <= (await headVersion(gateway.tenantId, area))) return "newer";
    try {
      await updateDesired(gateway.thingName, area, replacementPatch(shadow?.desired, doc), shadow?.version);
      return "written";
    } catch (e) {
      if (!(e instanceof Conflict) || attempt >= PUSH_ATTEMPTS) throw e;
    }
  }
}

export async function pushDesired(
  shadowName: Area,
  writes: { gateway: Gateway; doc: DesiredDocument }[],
  configVersion: number,
): Promise<PushReport> {
  const results = await mapLimit(writes, PUSH_CONCURRENCY, async ({ gateway, doc }) => {
    try {
      await writeDesiredOrdered(gateway, shadowName, doc);
      return undefined;
    } catch (e) {
      // The change is saved; the gateway's sync status shows it as pending and the next change
      // (or a resync) writes it again. The caller learns which gateways were not reached.
      log.warn("shadow write failed", { thing: gateway.thingName, shadow: shadowName, configVersion, error: e });
      countEvent("ShadowSyncFailures", 1, { shadow: shadowName });
      return { gateway_id: gateway.id, error: e instanceof Error ? e.message : String(e) };
    }
  });
  const failed = results.filter((r): r is { gateway_id: number; error: string } => r !== undefined);
  return { targeted: writes.length, written: writes.length - failed.length, failed };
}

// ---------------------------------------------------------------------------------------------
// Sync state of one named shadow

export type SyncStatus = "pending" | "applied" | "failed" | "drifted";

export interface SyncState {
  /** The config version the shadow asks the gateway for (`desired.config_version`). */
  desiredVersion: number | null;
  /** The version the gateway last applied (`reported.config_version`). */
  reportedVersion: number | null;
  status: SyncStatus;
  error: string | null;
  /** When the gateway made its last report. */
  reportedAt: string | null;
  /** What the fan-out did the last time it wrote (or tried to write) this shadow. */
  lastWrite: SyncOutcome | null;
}

/** Reported bookkeeping fields: they describe the report, not the configuration. */
const REPORT_FIELDS = new Set([
  "config_version",
  "status",
  "error",
  "failed_version",
  "applied_at",
  "updated_at",
  "validation",
  "terminated_sessions",
  "edge_version",
  // What the gateway observes (listening ports, rule counters, live-file drift): read by scans.
  "listening",
  "unused_rules",
  "counters_at",
  "drift",
  "weak_keys",
]);

/** The configuration fields the gateway reports that are also in `desired` with another value. */
function differingFields(reported: Record<string, unknown> | undefined, desired: Record<string, unknown>): string[] {
  return Object.keys(reported ?? {}).filter(
    (k) => !REPORT_FIELDS.has(k) && k in desired && JSON.stringify(reported?.[k]) !== JSON.stringify(desired[k]),
  );
}

/**
 * The sync state of one named shadow, from the shadow alone plus (optionally) the config version the
 * cloud saved for this gateway:
 *
 * - pending: there is no shadow, desired or report yet; or the gateway reports an older version
 *   than desired and has not reported that version failed (a change is in flight); or the saved
 *   config version is newer than the shadow's desired (saved, not yet written: `error` says so).
 * - failed: the gateway reported `status: failed` for exactly the desired version
 *   (`reported.failed_version == desired.config_version`); `error` is its validator's message.
 *   Its previous configuration is still in place (`reported_version`).
 * - applied: reported and desired versions are equal, and every configuration field the gateway
 *   reports equals the desired one; or `desired` is gone because the edge cleared it after applying
 *   (the report says `applied`, at the saved version when one is given) and every configuration
 *   field the gateway reports equals the one in `savedDoc` (the document rendered from what the
 *   cloud saved for it), when given.
 * - drifted: no change is in flight but the gateway does not run what desired says: the versions
 *   are equal yet a configuration field present in both desired and reported differs (the shadow
 *   delta restricted to what the gateway reports), or the gateway reports a version newer than
 *   desired (it runs a configuration the cloud never asked for), or the gateway reports `drift`
 *   (its live file no longer is the one it applied: a local edit). With `desired` cleared, a reported
 *   configuration field that differs from `savedDoc`, or a reported `drift`, is drift too.
 */
export function syncState(
  shadow: Shadow | undefined,
  savedVersion?: number,
  savedDoc?: DesiredDocument,
  lastWrite?: SyncOutcome,
): SyncState {
  const state = { ...shadowSyncState(shadow, savedVersion, savedDoc), lastWrite: lastWrite ?? null };
  // Saved, not in the shadow, and the fan-out's write of that version failed: the gateway will not
  // get it by itself (a resync or the next change writes it).
  const unwritten = savedVersion !== undefined && state.error === notWritten(savedVersion);
  if (unwritten && lastWrite?.outcome === "failed" && lastWrite.configVersion >= savedVersion) {
    return { ...state, status: "failed", error: `the shadow write failed: ${lastWrite.error ?? "unknown error"}` };
  }
  return state;
}

const notWritten = (version: number) => `config version ${version} is saved but not yet written to the shadow`;

function shadowSyncState(
  shadow: Shadow | undefined,
  savedVersion?: number,
  savedDoc?: DesiredDocument,
): Omit<SyncState, "lastWrite"> {
  const desiredVersion = typeof shadow?.desired?.config_version === "number" ? shadow.desired.config_version : null;
  const parsed = shadow?.reported ? ReportedStateSchema.safeParse(shadow.reported) : undefined;
  const reported = parsed?.success ? parsed.data : undefined;
  const base = {
    desiredVersion,
    reportedVersion: reported?.config_version ?? null,
    reportedAt: reported?.updated_at ?? null,
  };
  // The edge deletes `desired` once it runs that version (no delta is left for an applied change):
  // then the report alone says what the gateway runs.
  const appliedVersion = reported?.status === "applied" ? reported.config_version : 0;
  if (savedVersion !== undefined && savedVersion > Math.max(desiredVersion ?? 0, appliedVersion)) {
    return {
      ...base,
      status: "pending",
      error: notWritten(savedVersion),
    };
  }
  if (desiredVersion === null) {
    // Cleared by the edge once applied: the version the gateway should run is the saved one (or,
    // without it, the one it reports running).
    if (reported?.status === "applied") {
      const cleared = { ...base, desiredVersion: savedVersion ?? reported.config_version };
      if (reported.drift) return { ...cleared, status: "drifted", error: reported.drift };
      // What the cloud saved for the gateway stands in for the cleared desired: a configuration
      // field the gateway reports that differs from it is drift, as it would be against desired.
      const differing = savedDoc ? differingFields(shadow?.reported, savedDoc) : [];
      if (differing.length > 0) {
        return { ...cleared, status: "drifted", error: `reported ${differing.join(", ")} differ from desired` };
      }
      return { ...cleared, status: "applied", error: null };
    }
    return { ...base, status: "pending", error: null };
  }
  if (parsed && !parsed.success) {
    return {
      ...base,
      status: "pending",
      error: `the gateway's report does not match the contract: ${describeIssues(parsed.error)}`,
    };
  }
  if (!reported) return { ...base, status: "pending", error: null };
  if (reported.status === "failed" && reported.failed_version === desiredVersion) {
    return { ...base, status: "failed", error: reported.error ?? "the gateway reported a failure without a message" };
  }
  if (reported.config_version < desiredVersion) return { ...base, status: "pending", error: null };
  // The gateway found its live file edited by hand: it runs something the cloud did not send.
  if (reported.drift) return { ...base, status: "drifted", error: reported.drift };
  if (reported.config_version > desiredVersion) {
    return {
      ...base,
      status: "drifted",
      error: `the gateway runs config version ${reported.config_version}, newer than the desired ${desiredVersion}`,
    };
  }
  const differing = differingFields(shadow?.reported, shadow?.desired ?? {});
  if (differing.length > 0) {
    return { ...base, status: "drifted", error: `reported ${differing.join(", ")} differ from desired` };
  }
  return { ...base, status: "applied", error: null };
}
