/**
 * Table stream → Stripe Billing Meters. Changes of the monthly usage counters (type `UsageMonth`)
 * become meter events, batched per stream batch, off every request path. A Stripe failure throws
 * and the stream retries the batch; identifiers make the retry report nothing twice.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { reportUsageToMeters } from "#shared/billing/meters.ts";
import { log } from "#shared/kit/log.ts";

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  const reported = await reportUsageToMeters(event);
  if (reported.length > 0) log.info("usage reported to Stripe meters", { events: reported.length });
}
