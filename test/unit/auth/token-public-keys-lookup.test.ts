/**
 * The deploy-time lookup of the token-signing keys' public halves (functions/workers/token-public-keys.ts,
 * the custom resource of infra/constructs/token-public-keys.ts). KMS cannot run here: its client is
 * replaced by a mock (aws-sdk-client-mock), named so, which answers GetPublicKey as KMS does — the
 * DER SubjectPublicKeyInfo of a real P-256 key generated for the test, as bytes.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { GetPublicKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { handler, PHYSICAL_ID } from "#functions/workers/token-public-keys.ts";

const kmsMock = mockClient(KMSClient);
const CURRENT = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555";
const PREVIOUS = "arn:aws:kms:eu-west-1:111122223333:key/66666666-7777-8888-9999-000000000000";

const p256 = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
const der = (key: KeyObject) => new Uint8Array(key.export({ format: "der", type: "spki" }));
/** GetPublicKey's answer for an ES256 signing key, as KMS gives it. */
const signingKey = (key: KeyObject) => ({
  KeyId: CURRENT,
  PublicKey: der(key),
  KeySpec: "ECC_NIST_P256" as const,
  KeyUsage: "SIGN_VERIFY" as const,
  SigningAlgorithms: ["ECDSA_SHA_256" as const],
});

const base = {
  ServiceToken: "arn:aws:lambda:eu-west-1:111122223333:function:provider",
  ResponseURL: "https://cloudformation-custom-resource-response.invalid/",
  StackId: "arn:aws:cloudformation:eu-west-1:111122223333:stack/Warden-Routes-fleet/1",
  RequestId: "r-1",
  LogicalResourceId: "TokenPublicKeys",
  ResourceType: "Custom::WardenTokenPublicKeys",
};
const create = (props: Record<string, string>): CloudFormationCustomResourceEvent => ({
  ...base,
  RequestType: "Create",
  ResourceProperties: { ServiceToken: base.ServiceToken, ...props },
});

beforeEach(() => kmsMock.reset());
afterAll(() => kmsMock.restore());

describe("token public-key lookup (KMS mocked)", () => {
  it("returns the signing key's public half as SPKI PEM, the very key KMS holds", async () => {
    const key = p256();
    kmsMock.on(GetPublicKeyCommand, { KeyId: CURRENT }).resolves(signingKey(key));

    const out = await handler(create({ KeyArn: CURRENT }));

    expect(out.PhysicalResourceId).toBe(PHYSICAL_ID);
    const pem = out.Data?.PublicKey ?? "";
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    // The same point, not a garbled copy: the PEM's DER is byte for byte KMS's DER.
    expect(createPublicKey(pem).export({ format: "der", type: "spki" })).toEqual(Buffer.from(der(key)));
    expect(out.Data).not.toHaveProperty("PreviousPublicKey");
    expect(kmsMock.commandCalls(GetPublicKeyCommand).map((c) => c.args[0].input.KeyId)).toEqual([CURRENT]);
  });

  it("returns the previous key's public half too during a rotation, on update as on create", async () => {
    const current = p256();
    const previous = p256();
    kmsMock.on(GetPublicKeyCommand, { KeyId: CURRENT }).resolves(signingKey(current));
    kmsMock.on(GetPublicKeyCommand, { KeyId: PREVIOUS }).resolves(signingKey(previous));

    const out = await handler({
      ...base,
      RequestType: "Update",
      PhysicalResourceId: PHYSICAL_ID,
      ResourceProperties: { ServiceToken: base.ServiceToken, KeyArn: CURRENT, PreviousKeyArn: PREVIOUS },
      OldResourceProperties: { ServiceToken: base.ServiceToken, KeyArn: PREVIOUS },
    });

    expect(out.PhysicalResourceId).toBe(PHYSICAL_ID);
    const spki = (pem: string | undefined) => createPublicKey(pem ?? "").export({ format: "der", type: "spki" });
    expect(spki(out.Data?.PublicKey)).toEqual(Buffer.from(der(current)));
    expect(spki(out.Data?.PreviousPublicKey)).toEqual(Buffer.from(der(previous)));
  });

  it("fails the deploy on a key that is not an ES256 signing key, rather than shipping it", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    kmsMock.on(GetPublicKeyCommand).resolves({
      KeyId: CURRENT,
      PublicKey: der(rsa),
      KeySpec: "RSA_2048",
      KeyUsage: "ENCRYPT_DECRYPT",
      EncryptionAlgorithms: ["RSAES_OAEP_SHA_256"],
    });

    await expect(handler(create({ KeyArn: CURRENT }))).rejects.toThrow(/not an ECC_NIST_P256 SIGN_VERIFY/);
  });

  it("fails the deploy when KMS refuses the lookup", async () => {
    kmsMock.on(GetPublicKeyCommand).rejects(new Error("AccessDeniedException"));

    await expect(handler(create({ KeyArn: CURRENT }))).rejects.toThrow(/AccessDeniedException/);
  });

  it("reads nothing on delete (the key may be gone) and keeps the resource's id", async () => {
    const out = await handler({
      ...base,
      RequestType: "Delete",
      PhysicalResourceId: PHYSICAL_ID,
      ResourceProperties: { ServiceToken: base.ServiceToken, KeyArn: CURRENT },
    });

    expect(out).toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(kmsMock.commandCalls(GetPublicKeyCommand)).toHaveLength(0);
  });
});
