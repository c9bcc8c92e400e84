/**
 * Table stream → live evidence. A change to state an evidence check reads (users, API keys,
 * authentication and audit settings, gateways and their saved configuration) re-evaluates the
 * checks reading it for that tenant, so a bound control leaves or regains `verified` at once. A
 * failure throws: the stream retries the batch (re-evaluation is idempotent).
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { reevaluateChanges, stateChangesOf } from "#shared/compliance/evidence.ts";
import { log } from "#shared/kit/log.ts";

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  const changes = stateChangesOf(event);
  if (changes.length === 0) return;
  const changed = await reevaluateChanges(changes);
  log.info("evidence re-evaluated on state change", { records: event.Records.length, controls_changed: changed });
}
