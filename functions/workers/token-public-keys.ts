/**
 * The deploy-time lookup of the token-signing keys' public halves: the onEvent handler of a
 * CloudFormation custom resource (infra/constructs/token-public-keys.ts, through the CDK provider
 * framework). On create and update it reads `KeyArn` (and, during a rotation, `PreviousKeyArn`) from
 * KMS and returns each public half as SPKI PEM, which the stack hands to its verifiers as
 * `WARDEN_JWT_PUBLIC_KEY` / `WARDEN_JWT_PREVIOUS_PUBLIC_KEY`. A key replaced on a later deploy
 * changes the resource's properties, so the lookup runs again and the functions get the new value.
 * Delete reads nothing (the key may already be gone) and leaves nothing behind.
 */
import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import { kmsPublicKeyPem } from "#shared/auth/signer.ts";
import { log } from "#shared/kit/log.ts";

/** One lookup resource per stack; its id never changes, so CloudFormation sees updates, not replacements. */
export const PHYSICAL_ID = "warden-token-public-keys";

export interface TokenPublicKeysData {
  /** SPKI PEM of `KeyArn`. */
  PublicKey: string;
  /** SPKI PEM of `PreviousKeyArn`, present only when the resource names one. */
  PreviousPublicKey?: string;
}

const text = (value: unknown, name: string): string | undefined => {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw new Error(`${name} must be a KMS key ARN`);
  return value;
};

export async function handler(
  event: CloudFormationCustomResourceEvent,
): Promise<{ PhysicalResourceId: string; Data?: TokenPublicKeysData }> {
  if (event.RequestType === "Delete") return { PhysicalResourceId: event.PhysicalResourceId };
  const keyArn = text(event.ResourceProperties.KeyArn, "KeyArn");
  if (!keyArn) throw new Error("KeyArn is required");
  const previousKeyArn = text(event.ResourceProperties.PreviousKeyArn, "PreviousKeyArn");
  const [current, previous] = await Promise.all([
    kmsPublicKeyPem(keyArn),
    previousKeyArn ? kmsPublicKeyPem(previousKeyArn) : undefined,
  ]);
  log.info("token public keys read", { keyArn, ...(previousKeyArn && { previousKeyArn }) });
  return {
    PhysicalResourceId: PHYSICAL_ID,
    Data: { PublicKey: current, ...(previous && { PreviousPublicKey: previous }) },
  };
}
