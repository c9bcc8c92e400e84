/**
 * What a gateway reports in its named shadows means to the events socket: `sync_state` events with
 * `source: "gateway"`, beside the fan-out's `pending` / `failed` (messages.ts `fromSyncOutcome`).
 *
 * Input: the shadow service's `update/documents` message on
 * `$aws/things/<thing>/shadow/name/<shadow>/update/documents`, reduced by the topic rule (deployed:
 * infra/stacks/iot-stack.ts; locally: infra/local/local-shadow-rule.ts) to the reported states
 * before and after the update. The thing name is authoritative for tenant and gateway: each
 * gateway's policy confines it to its own shadows, and the registry alone names things
 * (`warden_<tenant>_<id>`, `_` cannot occur in a tenant id), so no table read is needed.
 *
 * One event per change of the gateway's state:
 *   - `applied`: the applied `config_version` changed (or a failed apply recovered) with status
 *     `applied` and no drift (version 0, nothing applied yet, is none);
 *   - `failed`: a new `failed_version` (or status turned `failed`): `config_version` names the version
 *     that could not be applied, `error` the validator's message;
 *   - `drifted`: `drift` appeared (the live file was edited on the gateway): `error` is its text.
 * Reports that change none of these (posture refreshes, counters) carry no event.
 */
import { SHADOW_NAMES } from "#edge/contract.ts";
import { LEGACY_THING_PREFIX, THING_PREFIX } from "#shared/iot/policy.ts";
import type { RealtimeEvent } from "./messages.ts";

/** The topic filter of the shadow service's full-document messages on every named shadow. */
export const SHADOW_DOCUMENTS_TOPIC_FILTER = "$aws/things/+/shadow/name/+/update/documents";

/** The reported fields whose change is a sync-state change (the topic rule's WHERE compares them). */
export const SYNC_REPORTED_FIELDS = ["status", "config_version", "failed_version", "drift"] as const;

/** What the topic rule hands the worker (`SELECT previous.state.reported AS previous, …`). */
export interface ShadowReportEvent {
  topic: string;
  previous?: unknown;
  current?: unknown;
  /** The shadow service's epoch seconds of the update. */
  timestamp?: unknown;
}

type Reported = Record<string, unknown>;

const TENANT = "[a-z0-9]+(?:-[a-z0-9]+)*";
const CURRENT_THING = new RegExp(`^${THING_PREFIX}(${TENANT})_(\\d{1,15})$`);
const LEGACY_THING = new RegExp(`^${LEGACY_THING_PREFIX}(${TENANT})-(\\d{1,15})$`);
const TOPIC = /^\$aws\/things\/([^/]+)\/shadow\/name\/([^/]+)\/update\/documents$/;

/** Tenant and gateway id of a thing name (`warden_<tenant>_<id>`, or a legacy `warden-<tenant>-<id>`). */
export function gatewayOfThingName(thing: string): { tenantId: string; gatewayId: number } | undefined {
  const m = CURRENT_THING.exec(thing) ?? LEGACY_THING.exec(thing);
  if (!m?.[1] || !m[2]) return undefined;
  const gatewayId = Number(m[2]);
  return Number.isSafeInteger(gatewayId) && gatewayId > 0 ? { tenantId: m[1], gatewayId } : undefined;
}

const reported = (v: unknown): Reported =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Reported) : {};
const present = (v: unknown) => v !== undefined && v !== null;
const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
/** The device writes `error` and `drift`: bounded on the socket whatever it put in its shadow. */
const ERROR_CHARS = 500;
const errorText = (v: unknown): string | null => text(v)?.slice(0, ERROR_CHARS) ?? null;

/** Whether a report changed any sync-state field (what the topic rule's WHERE lets through). */
export function syncReportChanged(previous: unknown, current: unknown): boolean {
  const p = reported(previous);
  const c = reported(current);
  return SYNC_REPORTED_FIELDS.some((f) => (p[f] ?? null) !== (c[f] ?? null));
}

function timestampOf(e: ShadowReportEvent, c: Reported): string {
  const updated = text(c.updated_at);
  if (updated && !Number.isNaN(Date.parse(updated))) return new Date(updated).toISOString();
  if (typeof e.timestamp === "number" && Number.isFinite(e.timestamp))
    return new Date(e.timestamp * 1000).toISOString();
  return new Date().toISOString();
}

/** The `sync_state` events one shadow report carries (none for most reports). */
export function eventsOfShadowReport(e: ShadowReportEvent): RealtimeEvent[] {
  const topic = typeof e.topic === "string" ? TOPIC.exec(e.topic) : null;
  if (!topic?.[1] || !topic[2]) return [];
  const area = topic[2];
  if (!(SHADOW_NAMES as readonly string[]).includes(area)) return [];
  const gateway = gatewayOfThingName(topic[1]);
  if (!gateway) return [];
  const p = reported(e.previous);
  const c = reported(e.current);
  const version = typeof c.config_version === "number" ? c.config_version : undefined;
  if (version === undefined) return [];

  const base = {
    tenantId: gateway.tenantId,
    stream: "events" as const,
    type: "sync_state",
    timestamp: timestampOf(e, c),
    gatewayId: gateway.gatewayId,
  };
  const event = (status: "applied" | "failed" | "drifted", configVersion: unknown, error: string | null) => ({
    ...base,
    severity: status === "applied" ? ("info" as const) : ("high" as const),
    data: {
      area,
      status,
      config_version: configVersion,
      outcome: status,
      error,
      execution_id: null,
      source: "gateway",
    },
  });

  const out: RealtimeEvent[] = [];
  if (c.status === "failed") {
    const failedVersion = present(c.failed_version) ? c.failed_version : version;
    if (p.status !== "failed" || (p.failed_version ?? null) !== (c.failed_version ?? null)) {
      out.push(event("failed", failedVersion, errorText(c.error)));
    }
  } else if (c.status === "applied" && !present(c.drift)) {
    // Version 0 is "nothing applied yet" (a gateway's first report), not a change it applied.
    const changed = p.config_version !== version || p.status === "failed";
    if (changed && version > 0) out.push(event("applied", version, null));
  }
  if (present(c.drift) && !present(p.drift)) out.push(event("drifted", version, errorText(c.drift)));
  return out;
}
