/**
 * Changes of the monthly usage counters (`T#<t>` / `USAGE#<yyyy-mm>`, usage.ts) as the table's
 * stream delivers them: what each change added, for reporting to Stripe Billing Meters.
 */
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";

export interface UsageChange {
  tenantId: string;
  month: string;
  scans: { before: number; after: number };
  peakDevices: { before: number; after: number };
}

const USAGE_SK = /^USAGE#(\d{4}-\d{2})$/;
const TENANT_PK = /^T#([^#]+)$/;

export function usageChangesFromStream(event: DynamoDBStreamEvent): UsageChange[] {
  const out: UsageChange[] = [];
  for (const r of event.Records) {
    if (r.eventName !== "INSERT" && r.eventName !== "MODIFY") continue;
    const image = r.dynamodb?.NewImage;
    if (!image) continue;
    const now = unmarshall(image as Parameters<typeof unmarshall>[0]);
    const old = r.dynamodb?.OldImage ? unmarshall(r.dynamodb.OldImage as Parameters<typeof unmarshall>[0]) : {};
    const tenant = TENANT_PK.exec(String(now.PK))?.[1];
    const month = USAGE_SK.exec(String(now.SK))?.[1];
    if (!tenant || !month || now.type !== "UsageMonth") continue;
    out.push({
      tenantId: tenant,
      month,
      scans: { before: Number(old.scans ?? 0), after: Number(now.scans ?? 0) },
      peakDevices: { before: Number(old.peakDevices ?? 0), after: Number(now.peakDevices ?? 0) },
    });
  }
  return out;
}
