/**
 * Items as the table's stream delivers them (DynamoDB JSON), turned into plain items. The stream's
 * AttributeValue type and the SDK's describe the same wire format.
 */
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";

export interface StreamInsert {
  item: Record<string, unknown>;
}

/** The new images of a batch's INSERT records, in order. */
export function insertedItems(event: DynamoDBStreamEvent): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const r of event.Records) {
    const image = r.dynamodb?.NewImage;
    if (r.eventName !== "INSERT" || !image) continue;
    out.push(unmarshall(image as Parameters<typeof unmarshall>[0]));
  }
  return out;
}
