/**
 * The environment a bench process runs the platform with, in one place: DynamoDB Local (reused when
 * a parent already set `DYNAMODB_ENDPOINT`, as `npm run bench` does for the benches it runs in
 * process or in children), the table, a fresh token-signing key and data key, quiet logs, a region.
 * What the environment already holds wins, so a child keeps its parent's table and keys.
 *
 * Call it before importing platform code: shared/ reads its configuration once at import.
 */
import { randomBytes } from "node:crypto";
import { ensureTable, startDynamoDbLocal } from "#infra/local/dynamodb-local.ts";
import { generateJwtKeyPem } from "#infra/local/keys.ts";

export interface BenchEnvironment {
  /** The variables the platform reads, as set in `process.env` (handy to pass to child processes). */
  env: Record<string, string>;
  /** Stops the DynamoDB Local this call started (nothing when it reused one). */
  stop(): Promise<void>;
}

export async function useBenchEnvironment(
  defaultTable: string,
  extra: Record<string, string> = {},
): Promise<BenchEnvironment> {
  let stop: () => Promise<void> = async () => undefined;
  if (!process.env.DYNAMODB_ENDPOINT) {
    const dynamo = await startDynamoDbLocal();
    stop = () => dynamo.stop();
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    process.env.TABLE_NAME = defaultTable;
  }
  process.env.TABLE_NAME ??= defaultTable;
  try {
    await ensureTable(process.env.DYNAMODB_ENDPOINT, process.env.TABLE_NAME);
  } catch (e) {
    await stop();
    throw e;
  }
  const defaults: Record<string, () => string> = {
    WARDEN_JWT_PRIVATE_KEY: generateJwtKeyPem,
    WARDEN_DATA_KEY: () => randomBytes(32).toString("base64"),
    WARDEN_LOG_LEVEL: () => "silent",
    AWS_REGION: () => "us-east-1",
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, () => v])),
  };
  for (const [name, make] of Object.entries(defaults)) process.env[name] ??= make();
  const names = ["DYNAMODB_ENDPOINT", "TABLE_NAME", ...Object.keys(defaults)];
  const env = Object.fromEntries(names.map((n) => [n, process.env[n] ?? ""]));
  return { env, stop };
}
