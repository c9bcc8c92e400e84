/**
 * Access tokens built by hand for the token attacks, with node:crypto only: signed with the
 * platform's own key (the test run's key, from the environment) to vary one claim at a time,
 * signed with an attacker's key, signed with HMAC over the public key, or not signed at all.
 */
import { createHmac, createPrivateKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import { config } from "#shared/kit/config.ts";

export type Json = Record<string, unknown>;

const b64 = (v: Json | Buffer): string =>
  (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString("base64url");

export function decodeJwt(token: string): { header: Json; payload: Json; signature: string } {
  const [h = "", p = "", signature = ""] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as Json,
    payload: JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Json,
    signature,
  };
}

/** ES256 (raw r||s, as JWS wants it). */
export function signEs256(header: Json, payload: Json, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
}

export function signHs256(header: Json, payload: Json, secret: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** `alg: none`: header and payload, an empty signature. */
export function unsigned(header: Json, payload: Json): string {
  return `${b64(header)}.${b64(payload)}.`;
}

/** The token with its payload changed and its signature kept. */
export function tampered(token: string, changes: Json): string {
  const [h = "", , s = ""] = token.split(".");
  return `${h}.${b64({ ...decodeJwt(token).payload, ...changes })}.${s}`;
}

/** The key the platform signs with in this test run (test/setup/global.ts makes it). */
export function platformKey(): KeyObject {
  const pem = process.env.WARDEN_JWT_PRIVATE_KEY;
  if (!pem) throw new Error("WARDEN_JWT_PRIVATE_KEY is not set (test/setup/env.ts)");
  return createPrivateKey(pem);
}

/** A P-256 key the platform has never seen, with its public half as a JWK. */
export function attackerKey(kid = `attacker-${randomUUID()}`): { privateKey: KeyObject; jwk: Json; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, jwk: { ...(publicKey.export({ format: "jwk" }) as Json), kid, alg: "ES256", use: "sig" }, kid };
}

/** The claims the platform puts in an access token, for a user, valid from now. */
export function claimsFor(user: { tenantId: string; userId: number; role: string }, ttlSeconds = 600): Json {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: config.WARDEN_ISSUER,
    aud: config.WARDEN_AUDIENCE,
    sub: String(user.userId),
    tid: user.tenantId,
    role: user.role,
    jti: `${user.userId}.${randomUUID()}`,
    iat,
    exp: iat + ttlSeconds,
  };
}
