/**
 * Which tenants' state changed in a batch of the table's stream, and of what type: the evidence
 * worker re-evaluates only the checks that read that state. The tenant is the partition key's
 * leading `T#<tenant>`.
 */
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";

export interface StateChange {
  tenantId: string;
  type: string;
}

export function stateChanges(event: DynamoDBStreamEvent): StateChange[] {
  const out: StateChange[] = [];
  for (const r of event.Records) {
    const image = r.dynamodb?.NewImage ?? r.dynamodb?.OldImage;
    if (!image) continue;
    const item = unmarshall(image as Parameters<typeof unmarshall>[0]);
    const pk = typeof item.PK === "string" ? item.PK : "";
    const tenantId = /^T#([^#]+)/.exec(pk)?.[1];
    if (tenantId && typeof item.type === "string") out.push({ tenantId, type: item.type });
  }
  return out;
}
