/**
 * Starting a fan-out: the API call saved config version N of an area and hands the shadow writes to
 * the `fleet-sync` workflow (shared/workflows/definitions.ts; the writes themselves are in
 * fleet-sync.ts). One execution per (tenant, area, version): its subject is `<area>-v<N>`, so a
 * retried start answers the execution that runs. The answer the API gives is a receipt: pending,
 * how many gateways it will reach, and the execution that does it.
 *
 * The request path never lists the fleet: a tenant-wide change names its targets as "every
 * registered gateway" with their count (one constant-size read, shadow-sync.ts), and the workflow's
 * first step (`planFanOut`) pages through the fleet and cuts it into the Map's batches. Only an
 * explicit set (one gateway's overrides, or a resync of the failed/drifted ones) travels in the
 * execution input.
 */
import { log } from "#shared/kit/log.ts";
import { fleetSync } from "#shared/workflows/definitions.ts";
import { newExecutionId, startWorkflow } from "#shared/workflows/engine.ts";
import type { Area } from "./db/fleet-config.ts";

/** Gateways per Map item: one task invocation writes this many shadows (a few at a time). */
export const FAN_OUT_BATCH = 25;

export interface FanOutReceipt {
  /**
   * pending: the workflow writes the shadows now (GET /gateways shows each gateway's progress);
   * none: no gateway is affected; not_started: the change is saved but the workflow could not be
   * started (the gateways show pending; a resync writes them).
   */
  status: "pending" | "none" | "not_started";
  /** Gateways whose shadow the change is to reach. */
  targeted: number;
  execution_id: string | null;
  error: string | null;
}

/**
 * Whom a fan-out writes: every gateway registered when the workflow lists them (`count`: how many
 * are registered now, the receipt's `targeted`), or exactly the gateways named.
 */
export type FanOutTargets = { all: true; count: number } | { gateways: number[] };

export interface FanOutRequest {
  tenantId: string;
  area: Area;
  /** The version written: the change's (or, for a resync, the area's head when it was asked). */
  configVersion: number;
  targets: FanOutTargets;
  by: string;
  /** A resync rewrites the saved configuration; its subject differs from the change's. */
  resync?: boolean;
}

export const batchesOf = (ids: number[], size = FAN_OUT_BATCH): { gateways: number[] }[] => {
  const out: { gateways: number[] }[] = [];
  for (let i = 0; i < ids.length; i += size) out.push({ gateways: ids.slice(i, i + size) });
  return out;
};

export async function startFanOut(r: FanOutRequest): Promise<FanOutReceipt> {
  const targeted = "gateways" in r.targets ? r.targets.gateways.length : r.targets.count;
  if (targeted === 0) return { status: "none", targeted, execution_id: null, error: null };
  const subject = `${r.area}-${r.resync ? "resync-" : ""}v${r.configVersion}`;
  try {
    const { execution } = await startWorkflow({
      workflow: fleetSync,
      tenantId: r.tenantId,
      subject,
      executionId: newExecutionId(`sync-${r.area}-v${r.configVersion}`),
      startedBy: r.by,
      params: {
        area: r.area,
        configVersion: r.configVersion,
        resync: r.resync === true,
        // Absent: the workflow's Plan step lists the fleet itself.
        ...("gateways" in r.targets && { gateways: r.targets.gateways }),
      },
    });
    return { status: "pending", targeted, execution_id: execution.executionId, error: null };
  } catch (e) {
    // The change is saved and stays saved: answering an error would invite a retry that saves it
    // twice. The gateways show it as saved but not written until a resync (or the next change).
    log.error("fan-out not started", { tenantId: r.tenantId, area: r.area, configVersion: r.configVersion, error: e });
    return {
      status: "not_started",
      targeted,
      execution_id: null,
      error: "the change is saved but its delivery could not be started; POST /gateways/resync writes it",
    };
  }
}
