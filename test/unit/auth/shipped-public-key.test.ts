/**
 * Token verification with the public key shipped as configuration (issue 16 item 3): a deployed
 * verifier gets `WARDEN_JWT_PUBLIC_KEY` (and `WARDEN_JWT_PREVIOUS_PUBLIC_KEY` during a rotation),
 * read from KMS once at deploy time, and verifies — and serves the JWKS — without building a KMS
 * client. A signer that has it checks that it is its own key's before issuing.
 *
 * Each container is a fresh module graph with its own environment. The verifier containers load
 * a stand-in `@aws-sdk/client-kms` that counts clients built: the assertion is that none is. The
 * KMS signer's test replaces KMS with aws-sdk-client-mock (named so: KMS cannot run here), which
 * signs with a real local P-256 key as KMS would (DER ECDSA).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { GetPublicKeyCommand, KMSClient, SignCommand } from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";

const privatePem = () =>
  generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const publicPem = (pem: string) => createPublicKey(pem).export({ format: "pem", type: "spki" }).toString();
const keyA = privatePem();
const keyB = privatePem();
const KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555";
const PREVIOUS_ARN = "arn:aws:kms:eu-west-1:111122223333:key/66666666-7777-8888-9999-000000000000";

const subject = { userId: 7, tenantId: "acme", role: "admin" };
const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { kid: string }).kid;

type Env = Partial<
  Record<
    | "WARDEN_JWT_PRIVATE_KEY"
    | "WARDEN_JWT_PUBLIC_KEY"
    | "WARDEN_JWT_PREVIOUS_PUBLIC_KEY"
    | "JWT_KMS_KEY_ID"
    | "JWT_PREVIOUS_KMS_KEY_ID",
    string
  >
>;
function stub(env: Env) {
  vi.resetModules();
  for (const name of [
    "WARDEN_JWT_PRIVATE_KEY",
    "WARDEN_JWT_PUBLIC_KEY",
    "WARDEN_JWT_PREVIOUS_PUBLIC_KEY",
    "JWT_KMS_KEY_ID",
    "JWT_PREVIOUS_KMS_KEY_ID",
  ] as const) {
    vi.stubEnv(name, env[name]);
  }
}

/** A local-mode signer: the private key, nothing shipped. */
async function localSigner(pem: string) {
  stub({ WARDEN_JWT_PRIVATE_KEY: pem });
  return import("#shared/auth/tokens.ts");
}

/** A container whose `@aws-sdk/client-kms` counts the clients built (and answers nothing). */
async function countingKms(env: Env) {
  stub(env);
  const built = { clients: 0 };
  vi.doMock("@aws-sdk/client-kms", () => ({
    KMSClient: class {
      constructor() {
        built.clients++;
      }
      send(): Promise<never> {
        return Promise.reject(new Error("KMS called"));
      }
    },
    GetPublicKeyCommand: class {},
    SignCommand: class {},
  }));
  const tokens = await import("#shared/auth/tokens.ts");
  return { tokens, built };
}

afterEach(() => {
  vi.doUnmock("@aws-sdk/client-kms");
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("a verifier with the shipped public key", () => {
  it("verifies a token of the signing key and serves that key in the JWKS, building no KMS client", async () => {
    const { token } = await (await localSigner(keyA)).issueAccessToken(subject);
    // As deployed before this change a verifier also named the KMS key: even then, no client.
    const { tokens, built } = await countingKms({ WARDEN_JWT_PUBLIC_KEY: publicPem(keyA), JWT_KMS_KEY_ID: KEY_ARN });

    await expect(tokens.verifyAccessToken(token)).resolves.toMatchObject({ sub: "7", tid: "acme", role: "admin" });
    const set = (await tokens.jwks()).keys as { kid: string; kty: string; crv: string }[];

    expect(set.map((k) => k.kid)).toEqual([kidOf(token)]);
    expect(set[0]).toMatchObject({ kty: "EC", crv: "P-256" });
    expect(built.clients).toBe(0);
  });

  it("refuses a token signed by any other key", async () => {
    const { token } = await (await localSigner(keyB)).issueAccessToken(subject);
    const { tokens, built } = await countingKms({ WARDEN_JWT_PUBLIC_KEY: publicPem(keyA) });

    await expect(tokens.verifyAccessToken(token)).rejects.toMatchObject({ statusCode: 401 });
    expect(built.clients).toBe(0);
  });

  it("takes the previous key from configuration during a rotation, before a KMS key id", async () => {
    const { token: old } = await (await localSigner(keyA)).issueAccessToken(subject);
    const { token: fresh } = await (await localSigner(keyB)).issueAccessToken(subject);
    const { tokens, built } = await countingKms({
      WARDEN_JWT_PUBLIC_KEY: publicPem(keyB),
      WARDEN_JWT_PREVIOUS_PUBLIC_KEY: publicPem(keyA),
      JWT_PREVIOUS_KMS_KEY_ID: PREVIOUS_ARN,
    });

    await expect(tokens.verifyAccessToken(old)).resolves.toMatchObject({ sub: "7" });
    await expect(tokens.verifyAccessToken(fresh)).resolves.toMatchObject({ sub: "7" });
    const kids = ((await tokens.jwks()).keys as { kid: string }[]).map((k) => k.kid);
    expect(kids).toEqual([kidOf(fresh), kidOf(old)]);
    expect(built.clients).toBe(0);
  });

  it("without a shipped key (an older deployment) still reads the key from KMS, as before", async () => {
    // Also proves the counting stand-in is the client the code loads.
    const { tokens, built } = await countingKms({ JWT_KMS_KEY_ID: KEY_ARN });

    await expect(tokens.jwks()).rejects.toThrow(/KMS called/);
    expect(built.clients).toBe(1);
  });

  it("refuses a private key where only the public half belongs", async () => {
    const { tokens } = await countingKms({ WARDEN_JWT_PUBLIC_KEY: keyA });

    await expect(tokens.jwks()).rejects.toThrow(/must hold a public key/);
  });
});

describe("a signer with the shipped public key", () => {
  it("issues tokens when the shipped key is its own, and refuses, naming the cause, when it is not", async () => {
    stub({ WARDEN_JWT_PRIVATE_KEY: keyA, WARDEN_JWT_PUBLIC_KEY: publicPem(keyA) });
    const own = await import("#shared/auth/tokens.ts");
    const { token } = await own.issueAccessToken(subject);
    await expect(own.verifyAccessToken(token)).resolves.toMatchObject({ sub: "7" });

    stub({ WARDEN_JWT_PRIVATE_KEY: keyA, WARDEN_JWT_PUBLIC_KEY: publicPem(keyB) });
    const other = await import("#shared/auth/tokens.ts");
    await expect(other.issueAccessToken(subject)).rejects.toThrow(/WARDEN_JWT_PUBLIC_KEY .* is not the signing key/);
  });

  it("KMS signer (KMS mocked): checks the shipped key against KMS's, and its tokens verify with the shipped key", async () => {
    // The mock answers as KMS does for key A: its SPKI DER, and DER ECDSA signatures by it.
    const kmsMock = mockClient(KMSClient);
    try {
      kmsMock.on(GetPublicKeyCommand, { KeyId: KEY_ARN }).resolves({
        KeyId: KEY_ARN,
        PublicKey: new Uint8Array(createPublicKey(keyA).export({ format: "der", type: "spki" })),
        KeySpec: "ECC_NIST_P256",
        KeyUsage: "SIGN_VERIFY",
        SigningAlgorithms: ["ECDSA_SHA_256"],
      });
      kmsMock.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({
        Signature: new Uint8Array(sign("sha256", Buffer.from(input.Message), createPrivateKey(keyA))),
      }));

      stub({ JWT_KMS_KEY_ID: KEY_ARN, WARDEN_JWT_PUBLIC_KEY: publicPem(keyA) });
      const { token } = await (await import("#shared/auth/tokens.ts")).issueAccessToken(subject);

      const { tokens, built } = await countingKms({ WARDEN_JWT_PUBLIC_KEY: publicPem(keyA) });
      await expect(tokens.verifyAccessToken(token)).resolves.toMatchObject({ sub: "7", tid: "acme" });
      expect(built.clients).toBe(0);
      vi.doUnmock("@aws-sdk/client-kms");

      // A lookup that shipped another key: sign-in fails loudly instead of issuing unverifiable tokens.
      stub({ JWT_KMS_KEY_ID: KEY_ARN, WARDEN_JWT_PUBLIC_KEY: publicPem(keyB) });
      const mismatched = await import("#shared/auth/tokens.ts");
      await expect(mismatched.issueAccessToken(subject)).rejects.toThrow(/is not the signing key's public half/);
      expect(kmsMock.commandCalls(SignCommand)).toHaveLength(1);
    } finally {
      kmsMock.restore();
    }
  });
});
