/**
 * The `fleet-sync` workflow's work (fan-out.ts starts it; functions/workflows/fleet-sync/ wraps it).
 *
 * Plan (`planFanOut`): the gateways the change is for, cut into batches of FAN_OUT_BATCH ids: the
 * ids the start named (one gateway, a resync), or else every gateway of the tenant, paged from the
 * table here rather than on the API's request path.
 *
 * Then one Map iteration writes the shadows of a batch of gateways for config version N of an area.
 *
 * Per gateway, in this order:
 *   1. superseded: the area saved for this gateway is newer than N (a later change reached it: that
 *      change's own execution writes it), so nothing is written;
 *   2. the desired document is rendered from what is saved now (the same as N's, since nothing
 *      newer touched this gateway), checked against the contract and the 8 KB budget;
 *   3. the ordered conditional write of shadow-sync.ts (`writeDesiredOrdered`): it re-reads the
 *      shadow and skips when it already asks for a newer version the cloud saved, and its write is
 *      conditioned on the shadow version it read, so a newer change written in between wins
 *      (superseded). A version is therefore never written after a newer one.
 *   4. throttling (IoT data plane 429, after the SDK's own retries) is retried with full jitter;
 *      any other error, or throttling past the budget, is the gateway's `failed` outcome.
 *   5. the outcome (written / superseded / failed + reason) is recorded per gateway and shadow
 *      (db/sync-outcomes.ts), where GET /gateways reads it — except a gateway superseded in step 1,
 *      whose outcome the newer change's execution records.
 *
 * A batch answers its counts; the finisher adds them up into the execution's result.
 */
import { setTimeout as sleep } from "node:timers/promises";
import * as z from "zod/mini";
import type { Area } from "#shared/fleet/db/fleet-config.ts";
import { type Gateway, getGateways, listGateways } from "#shared/fleet/db/gateways.ts";
import { recordSyncOutcome, type SyncOutcomeKind } from "#shared/fleet/db/sync-outcomes.ts";
import { ShadowThrottled } from "#shared/iot/shadows.ts";
import { log } from "#shared/kit/log.ts";
import type { ExecutionItem, WorkflowState } from "#shared/workflows/engine.ts";
import { certificatesSpec } from "./certificates-shadow.ts";
import { batchesOf } from "./fan-out.ts";
import { firewallSpec } from "./firewall.ts";
import {
  type AreaSnapshot,
  type AreaSpec,
  assertContract,
  assertFits,
  desiredFor,
  loadSnapshot,
  writeDesiredOrdered,
} from "./shadow-sync.ts";
import { sshSpec } from "./ssh.ts";

const FanOutParams = z.object({
  area: z.enum(["firewall", "ssh", "certificates"]),
  configVersion: z.number(),
  resync: z._default(z.boolean(), false),
  /** The gateways named at the start; absent: every gateway of the tenant (the Plan step lists them). */
  gateways: z.optional(z.array(z.number())),
});
const BatchItem = z.object({ gateways: z.array(z.number()) });

/** Shadow writes in flight per batch (a Map runs up to 10 batches at once: ≤ 80 writes in flight). */
const WRITES_PER_BATCH = 8;

/** Throttling retries per gateway, with full jitter over an exponential ceiling. */
export const THROTTLE_RETRY = { attempts: 6, baseMs: 100, capMs: 3_000 };

const specOf = (area: Area): AreaSpec<Record<string, unknown>, unknown> =>
  (area === "firewall" ? firewallSpec : area === "ssh" ? sshSpec : certificatesSpec) as unknown as AreaSpec<
    Record<string, unknown>,
    unknown
  >;

/** Runs `fn`, retrying ShadowThrottled with full jitter; answers the result and the retries it took. */
export async function retryThrottled<T>(
  fn: () => Promise<T>,
  policy = THROTTLE_RETRY,
): Promise<{ value: T; retries: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(), retries: attempt - 1 };
    } catch (e) {
      if (!(e instanceof ShadowThrottled) || attempt >= policy.attempts) throw e;
      const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
      await sleep(Math.random() * ceiling);
    }
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export type BatchCounts = Record<SyncOutcomeKind, number> & { gone: number; throttleRetries: number };

async function syncOne(
  spec: AreaSpec<Record<string, unknown>, unknown>,
  snap: AreaSnapshot<Record<string, unknown>>,
  g: Gateway,
  p: z.infer<typeof FanOutParams>,
): Promise<{ outcome: SyncOutcomeKind; version: number; error: string | null; retries: number }> {
  const saved = snap.versionOf(g.id);
  if (saved > p.configVersion) return { outcome: "superseded", version: p.configVersion, error: null, retries: 0 };
  // A gateway without a certificates document of its own has nothing to receive in that shadow.
  if (p.area === "certificates" && !snap.overlays.has(g.id)) {
    return { outcome: "superseded", version: p.configVersion, error: null, retries: 0 };
  }
  try {
    const doc = desiredFor(spec, snap, g.id);
    assertContract(spec, doc);
    assertFits(spec.area, doc, `gateway ${g.id} (${g.name})`);
    const { value, retries } = await retryThrottled(() => writeDesiredOrdered(g, p.area, doc));
    return { outcome: value === "written" ? "written" : "superseded", version: saved, error: null, retries };
  } catch (e) {
    const error = e instanceof ShadowThrottled ? `throttled ${THROTTLE_RETRY.attempts} times: ${e.message}` : String(e);
    log.warn("fan-out write failed", { thing: g.thingName, area: p.area, configVersion: p.configVersion, error });
    return {
      outcome: "failed",
      version: saved,
      error: e instanceof Error ? error.replace(/^Error: /, "") : error,
      retries: 0,
    };
  }
}

/**
 * The Plan step: the batches the Map runs. A tenant-wide change lists the fleet now (one paged
 * Query of the tenant's gateways): a gateway registered after the change was saved is in the list
 * and gets the saved version (the same its registration wrote); one deregistered meanwhile is
 * counted `gone` by its batch.
 */
export async function planFanOut(
  state: WorkflowState,
): Promise<{ targeted: number; batches: { gateways: number[] }[] }> {
  const p = FanOutParams.parse(state.params);
  const ids = p.gateways ?? (await listGateways(state.tenantId)).map((g) => g.id);
  return { targeted: ids.length, batches: batchesOf(ids) };
}

/** One Map iteration: the shadows of one batch of gateways. */
export async function writeShadowBatch(state: WorkflowState, item: unknown): Promise<BatchCounts> {
  const p = FanOutParams.parse(state.params);
  const { gateways: ids } = BatchItem.parse(item);
  const spec = specOf(p.area);
  // Deregistered since the change: nothing to write (its shadows are gone with it).
  const gateways = await getGateways(state.tenantId, ids);
  const snap = await loadSnapshot(spec, state.tenantId, gateways);
  const counts: BatchCounts = {
    written: 0,
    superseded: 0,
    failed: 0,
    gone: ids.length - gateways.length,
    throttleRetries: 0,
  };
  await mapLimit(gateways, WRITES_PER_BATCH, async (g) => {
    const r = await syncOne(spec, snap, g, p);
    counts[r.outcome]++;
    counts.throttleRetries += r.retries;
    // Superseded before any write (a newer version is saved for this gateway): the newer change's
    // own execution records this gateway's outcome, and this record would lose to it anyway (the
    // put is conditioned on the version). Skipping it keeps a burst of changes from costing one
    // write per gateway per superseded change.
    if (r.outcome === "superseded" && r.version < snap.versionOf(g.id)) return;
    await recordSyncOutcome(state.tenantId, {
      area: p.area,
      gatewayId: g.id,
      configVersion: r.version,
      outcome: r.outcome,
      error: r.error,
      executionId: state.executionId,
      at: new Date().toISOString(),
      retries: r.retries,
    });
  });
  return counts;
}

const MapResult = z.array(
  z.union([
    z.object({
      written: z.number(),
      superseded: z.number(),
      failed: z.number(),
      gone: z.number(),
      throttleRetries: z.number(),
    }),
    // A batch that failed past its retries (the definition's Catch): its gateways show pending.
    z.object({ skipped: z.literal(true), item: BatchItem, error: z.optional(z.unknown()) }),
  ]),
);

/** The execution's result: the batches' counts added up (and the gateways of batches that failed). */
export function fanOutResult(state: WorkflowState): Record<string, unknown> {
  const parsed = MapResult.safeParse(state.results.WriteShadows ?? []);
  const total = { written: 0, superseded: 0, failed: 0, gone: 0, throttleRetries: 0, unreached: 0 };
  if (!parsed.success) return total;
  for (const r of parsed.data) {
    if ("skipped" in r) total.unreached += r.item.gateways.length;
    else {
      total.written += r.written;
      total.superseded += r.superseded;
      total.failed += r.failed;
      total.gone += r.gone;
      total.throttleRetries += r.throttleRetries;
    }
  }
  return total;
}

export async function endFanOut(state: WorkflowState, execution: ExecutionItem): Promise<void> {
  log.info("fan-out ended", { tenantId: state.tenantId, executionId: state.executionId, ...execution.result });
}
