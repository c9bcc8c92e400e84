/**
 * The DynamoDB document client, created once per cold start and instrumented: every command sent
 * is counted by name, so a test can assert how many calls a request made and that none was a Scan.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { config } from "#shared/kit/config.ts";

export interface DbCallStats {
  total: number;
  byCommand: Record<string, number>;
}

const stats: DbCallStats = { total: 0, byCommand: {} };

/** Calls made since the last reset (per process; tests and the bench reset it around one request). */
export function dbCalls(): DbCallStats {
  return { total: stats.total, byCommand: { ...stats.byCommand } };
}

export function resetDbCalls(): void {
  stats.total = 0;
  stats.byCommand = {};
}

const local = config.DYNAMODB_ENDPOINT !== undefined;

const base = new DynamoDBClient({
  region: config.AWS_REGION,
  ...(local
    ? {
        endpoint: config.DYNAMODB_ENDPOINT,
        // DynamoDB Local accepts any credentials; fixed ones keep local mode free of an AWS profile.
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }
    : {}),
});

base.middlewareStack.add(
  (next, context) => async (args) => {
    const name = String(context.commandName ?? "Unknown");
    stats.total += 1;
    stats.byCommand[name] = (stats.byCommand[name] ?? 0) + 1;
    return next(args);
  },
  { step: "initialize", name: "wardenCallCounter" },
);

export const db = DynamoDBDocumentClient.from(base, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const tableName = config.TABLE_NAME;
