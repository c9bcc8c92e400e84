/**
 * Runs once per `vitest run`: starts DynamoDB Local, creates the table, and makes a signing key
 * for the run. Workers receive both through `inject` (see env.ts).
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { ensureTable, startDynamoDbLocal } from "#infra/local/dynamodb-local.ts";
import { generateJwtKeyPem } from "#infra/local/keys.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    tableName: string;
    jwtPrivateKey: string;
    dataKey: string;
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
  return async () => {
    await dynamo.stop();
  };
}
