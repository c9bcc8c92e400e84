/**
 * Signing-key rotation without signing anyone out (docs/token-key-rotation.md): while the
 * deployment names the previous key, tokens it signed still verify and the JWKS lists both keys
 * (distinct kids); new tokens are signed by the current key only; once the previous key is no
 * longer named, its tokens are refused. Each phase is a fresh module graph with its own
 * environment, as each deploy is a fresh container with its own configuration.
 */
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";

const pem = () =>
  generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const oldKey = pem();
const newKey = pem();
const otherKey = pem();
const publicPem = (privatePem: string) =>
  // The previous key is configured by its public half: the verifiers never hold its private key.
  createPublicKey(privatePem).export({ format: "pem", type: "spki" }).toString();

/** The token module as a container configured with `env` would load it. */
async function container(env: { signing: string; previous?: string }) {
  vi.resetModules();
  vi.stubEnv("WARDEN_JWT_PRIVATE_KEY", env.signing);
  vi.stubEnv("JWT_KMS_KEY_ID", undefined);
  vi.stubEnv("JWT_PREVIOUS_KMS_KEY_ID", undefined);
  vi.stubEnv("WARDEN_JWT_PREVIOUS_PUBLIC_KEY", env.previous);
  return import("#shared/auth/tokens.ts");
}

const subject = { userId: 7, tenantId: "acme", role: "admin" };
const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { kid: string }).kid;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("signing-key rotation", () => {
  it("verifies a token of the previous key during the overlap, and refuses it after", async () => {
    // Arrange: a token issued before the rotation, by the old key.
    const before = await container({ signing: oldKey });
    const { token } = await before.issueAccessToken(subject);

    // Overlap: the new key signs, the old key is named as previous.
    const overlap = await container({ signing: newKey, previous: publicPem(oldKey) });
    await expect(overlap.verifyAccessToken(token)).resolves.toMatchObject({ sub: "7", tid: "acme", role: "admin" });

    // After: the previous key is no longer configured.
    const after = await container({ signing: newKey });
    await expect(after.verifyAccessToken(token)).rejects.toMatchObject({ statusCode: 401 });
  });

  it("serves both keys in the JWKS with distinct kids, the current one first; one key outside a rotation", async () => {
    const overlap = await container({ signing: newKey, previous: publicPem(oldKey) });
    const set = (await overlap.jwks()).keys as { kid: string; kty: string; alg: string }[];
    expect(set).toHaveLength(2);
    expect(new Set(set.map((k) => k.kid)).size).toBe(2);
    const { token } = await overlap.issueAccessToken(subject);
    expect(set[0]?.kid).toBe(kidOf(token));
    expect(set.every((k) => k.kty === "EC" && k.alg === "ES256")).toBe(true);

    const plain = await container({ signing: newKey });
    expect((await plain.jwks()).keys).toHaveLength(1);
    // Naming the current key as previous lists it once.
    const same = await container({ signing: newKey, previous: publicPem(newKey) });
    expect((await same.jwks()).keys).toHaveLength(1);
  });

  it("signs new tokens with the current key only, and they verify during and after the overlap", async () => {
    const before = await container({ signing: oldKey });
    const oldKid = kidOf((await before.issueAccessToken(subject)).token);

    const overlap = await container({ signing: newKey, previous: publicPem(oldKey) });
    const { token } = await overlap.issueAccessToken(subject);
    expect(kidOf(token)).not.toBe(oldKid);
    await expect(overlap.verifyAccessToken(token)).resolves.toMatchObject({ sub: "7" });

    const after = await container({ signing: newKey });
    await expect(after.verifyAccessToken(token)).resolves.toMatchObject({ sub: "7" });
  });

  it("refuses a token of a key that is neither current nor previous, and one that claims a listed kid", async () => {
    const stranger = await container({ signing: otherKey });
    const { token: foreign } = await stranger.issueAccessToken(subject);
    const overlap = await container({ signing: newKey, previous: publicPem(oldKey) });
    await expect(overlap.verifyAccessToken(foreign)).rejects.toMatchObject({ statusCode: 401 });

    // Signed by a stranger but naming the previous key's kid: the signature does not verify.
    const before = await container({ signing: oldKey });
    const oldKid = kidOf((await before.issueAccessToken(subject)).token);
    const [, payload, signature] = foreign.split(".");
    const header = Buffer.from(JSON.stringify({ alg: "ES256", typ: "JWT", kid: oldKid })).toString("base64url");
    const overlapAgain = await container({ signing: newKey, previous: publicPem(oldKey) });
    await expect(overlapAgain.verifyAccessToken(`${header}.${payload}.${signature}`)).rejects.toMatchObject({
      statusCode: 401,
    });
  });
});
