/**
 * Reads the payment secret (Stripe's keys, prices and meters as one JSON object) from AWS Secrets
 * Manager. Only the functions CDK marks `paymentSecrets` may call GetSecretValue, and only on that
 * secret (infra/constructs/access-policy.ts).
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

let client: SecretsManagerClient | undefined;

export async function readSecretJson(secretId: string): Promise<Record<string, unknown>> {
  client ??= new SecretsManagerClient({});
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!out.SecretString) throw new Error(`secret ${secretId} has no string value`);
  let value: unknown;
  try {
    value = JSON.parse(out.SecretString);
  } catch {
    throw new Error(`secret ${secretId} is not a JSON object`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`secret ${secretId} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}
