/** A stream record's image (DynamoDB JSON) as a plain item. */
import { unmarshall } from "@aws-sdk/util-dynamodb";

export const streamImage = (i: unknown): Record<string, unknown> | undefined =>
  i ? (unmarshall(i as Parameters<typeof unmarshall>[0]) as Record<string, unknown>) : undefined;
