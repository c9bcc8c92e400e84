/**
 * The engine's Map step as the cloud scan uses it, and what it must not change: the certificate
 * renewal's ASL stays byte for byte what it was before Map support (its digest recorded here from
 * main 00f5517), and the scan's Collect state is an inline Map with bounded concurrency, throttling
 * retried with full jitter, and a failed iteration ending in a Pass state instead of failing the run.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { certificateRenewal, cloudScan, mapStates, taskPlaceholder, toAsl } from "#shared/workflows/definitions.ts";

describe("Map support in the workflow definitions", () => {
  it("leaves the certificate renewal's ASL byte-identical", () => {
    const text = JSON.stringify(toAsl(certificateRenewal));
    expect(createHash("sha256").update(text).digest("hex")).toBe(
      "85df389431585cabfbebbf62fc721a8397e62ef4f783547c549e6ac1fbfaa6df",
    );
  });

  it("renders the scan's Collect step as an inline Map over the validated units", () => {
    const asl = toAsl(cloudScan) as { StartAt: string; States: Record<string, any> };
    expect(asl.StartAt).toBe("Validate");
    const collect = asl.States.Collect;
    const inner = mapStates(cloudScan.steps[1] as (typeof cloudScan.steps)[number]);
    expect(collect).toMatchObject({
      Type: "Map",
      ItemsPath: "$.results.Validate.units",
      MaxConcurrency: 8,
      ItemSelector: { "state.$": "$", "item.$": "$$.Map.Item.Value" },
      ResultPath: "$.results.Collect",
      Next: "Evaluate",
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "RecordFailure" }],
    });
    const processor = collect.ItemProcessor;
    expect(processor.ProcessorConfig).toEqual({ Mode: "INLINE" });
    expect(processor.StartAt).toBe(inner.task);
    const task = processor.States[inner.task];
    expect(task.Resource).toBe(`\${${taskPlaceholder("functions/workflows/cloud-scan/collect.ts")}}`);
    expect(task.Retry).toContainEqual(
      expect.objectContaining({ ErrorEquals: ["Throttled"], JitterStrategy: "FULL", MaxDelaySeconds: 30 }),
    );
    expect(task.Catch).toEqual([{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: inner.skipped }]);
    expect(processor.States[inner.skipped]).toEqual({
      Type: "Pass",
      Parameters: { "item.$": "$.item", skipped: true, "error.$": "$.error" },
      End: true,
    });
  });

  it("chains Validate → Collect → Evaluate → Evidence → Notify → RecordSuccess, each failure to RecordFailure", () => {
    const asl = toAsl(cloudScan) as { States: Record<string, any> };
    expect(asl.States.Validate.Next).toBe("Collect");
    expect(asl.States.Evaluate.Next).toBe("Evidence");
    expect(asl.States.Evidence.Next).toBe("Notify");
    expect(asl.States.Notify.Next).toBe("RecordSuccess");
    for (const s of ["Validate", "Collect", "Evaluate", "Evidence", "Notify"]) {
      expect(asl.States[s].Catch[0].Next).toBe("RecordFailure");
    }
  });
});
