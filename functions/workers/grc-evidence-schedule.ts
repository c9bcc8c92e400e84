/**
 * Every minute: re-evaluates every bound evidence check of every tenant that has one. This is what
 * sees state the table stream cannot (what gateways report into their shadows, the audit chain).
 */
import { reevaluateAll } from "#shared/compliance/evidence.ts";
import { log } from "#shared/kit/log.ts";

export async function handler(): Promise<void> {
  const r = await reevaluateAll();
  log.info("evidence re-evaluated on schedule", r);
}
