/**
 * Usage-based pricing through Stripe Billing Meters, off the request path: the table stream's
 * worker (functions/workers/billing-meters.ts) turns changes of the monthly usage counters into
 * meter events — scans as they are counted (sum), device-months as the month's device peak
 * (last) — batched per stream batch. Each event's identifier is derived from the counter value it
 * reports, so a redelivered stream batch reports nothing twice (Stripe keeps one event per
 * identifier). Tenants without a Stripe customer, or a deployment without Stripe, report nothing.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { getAccount } from "./db/accounts.ts";
import { usageChangesFromStream } from "./db/usage-stream.ts";
import { type MeterEvent, payments } from "./payments.ts";
import { billingSettings } from "./settings.ts";

export async function reportUsageToMeters(event: DynamoDBStreamEvent, now = new Date()): Promise<MeterEvent[]> {
  const changes = usageChangesFromStream(event).filter(
    (c) => c.scans.after > c.scans.before || c.peakDevices.after > c.peakDevices.before,
  );
  const stripe = await payments();
  if (!stripe || changes.length === 0) return [];
  const s = billingSettings();
  const customers = new Map<string, string | undefined>();
  const events: MeterEvent[] = [];
  const timestamp = Math.floor(now.getTime() / 1000);
  for (const c of changes) {
    if (!customers.has(c.tenantId)) customers.set(c.tenantId, (await getAccount(c.tenantId))?.customerId);
    const customerId = customers.get(c.tenantId);
    if (!customerId) continue;
    if (c.scans.after > c.scans.before) {
      events.push({
        eventName: s.STRIPE_METER_SCANS,
        customerId,
        value: c.scans.after - c.scans.before,
        identifier: `${c.tenantId}:${c.month}:scans:${c.scans.after}`,
        timestamp,
      });
    }
    if (c.peakDevices.after > c.peakDevices.before) {
      events.push({
        eventName: s.STRIPE_METER_DEVICES,
        customerId,
        value: c.peakDevices.after,
        identifier: `${c.tenantId}:${c.month}:devices:${c.peakDevices.after}`,
        timestamp,
      });
    }
  }
  await stripe.reportMeterEvents(events);
  return events;
}
