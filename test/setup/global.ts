/**
 * Runs once per `vitest run`: starts DynamoDB Local, creates the table, and makes a signing key
 * for the run, and a directory standing in for the blob bucket. Workers receive them through `inject` (see env.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureTable, startDynamoDbLocal } from "#infra/local/dynamodb-local.ts";
import { generateJwtKeyPem } from "#infra/local/keys.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    tableName: string;
    jwtPrivateKey: string;
    dataKey: string;
    blobDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  const tableName = "warden-test";
  await ensureTable(dynamo.endpoint, tableName);
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("tableName", tableName);
  project.provide("jwtPrivateKey", generateJwtKeyPem());
  project.provide("dataKey", randomBytes(32).toString("base64"));
  // The blob bucket's stand-in for this run (shared/blobs/adapters/folder.ts).
  const blobDir = await mkdtemp(join(tmpdir(), "warden-blobs-"));
  project.provide("blobDir", blobDir);
  return async () => {
    await dynamo.stop();
    await rm(blobDir, { recursive: true, force: true });
  };
}
