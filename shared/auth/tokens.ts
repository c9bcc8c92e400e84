/**
 * Access tokens: ES256 JWTs signed by the Signer, verified with aws-jwt-verify against the JWKS,
 * which is preloaded at cold start so verification never makes a network call.
 *
 * Signing-key rotation without signing anyone out (docs/token-key-rotation.md): the key set holds
 * the current key and, while the deployment names one, the previous key. A token's `kid` (the RFC
 * 7638 thumbprint of the key that signed it) selects its key; new tokens are signed by the current
 * key only.
 */
import { randomUUID } from "node:crypto";
import { KidNotFoundInJwksError } from "aws-jwt-verify/error";
import type { Jwks, JwksCache, JwkWithKid } from "aws-jwt-verify/jwk";
import type { DecomposedJwt } from "aws-jwt-verify/jwt";
import { JwtVerifier } from "aws-jwt-verify/jwt-verifier";
import { config } from "#shared/kit/config.ts";
import { Unauthorized } from "#shared/kit/errors.ts";
import { getSigner, type PublicJwk, previousPublicJwk, publicJwk } from "./signer.ts";

/**
 * A token that may do one thing only: change the password (forced change, expired password) or
 * enrol a second factor (a role that requires 2FA, none enrolled). `authenticate()` enforces it.
 */
export const TOKEN_RESTRICTIONS = ["password_change", "two_factor_enrollment"] as const;
export type TokenRestriction = (typeof TOKEN_RESTRICTIONS)[number];
const isRestriction = (v: unknown): v is TokenRestriction =>
  typeof v === "string" && (TOKEN_RESTRICTIONS as readonly string[]).includes(v);

export interface AccessClaims {
  sub: string;
  tid: string;
  role: string;
  jti: string;
  iat: number;
  exp: number;
  /** Present only on restricted tokens. */
  rst?: TokenRestriction;
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
  expiresIn: number;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

export async function issueAccessToken(
  subject: { userId: number; tenantId: string; role: string; restriction?: TokenRestriction; jti?: string },
  ttlSeconds = config.WARDEN_TOKEN_TTL_SECONDS,
): Promise<IssuedToken> {
  const signer = getSigner();
  const jwk = await signer.publicJwk();
  const iat = Math.floor(Date.now() / 1000);
  const jti = subject.jti ?? randomUUID();
  const payload = {
    iss: config.WARDEN_ISSUER,
    aud: config.WARDEN_AUDIENCE,
    sub: String(subject.userId),
    tid: subject.tenantId,
    role: subject.role,
    jti,
    iat,
    exp: iat + ttlSeconds,
    ...(subject.restriction ? { rst: subject.restriction } : {}),
  };
  const input = `${b64({ alg: "ES256", typ: "JWT", kid: jwk.kid })}.${b64(payload)}`;
  const signature = await signer.sign(Buffer.from(input));
  return {
    token: `${input}.${signature.toString("base64url")}`,
    jti,
    expiresAt: new Date(payload.exp * 1000),
    expiresIn: ttlSeconds,
  };
}

let verifier: Promise<{ verify(token: string): Promise<Record<string, unknown>> }> | undefined;

/**
 * The key set, held in the process and never fetched: aws-jwt-verify's default cache fetches the
 * `jwksUri` when a token names a `kid` it does not hold, so an anonymous request with a made-up
 * `kid` would make the function wait on the network. Here an unknown `kid` is refused at once.
 */
class PreloadedJwks implements JwksCache {
  constructor(private readonly jwks: Jwks) {}
  getCachedJwk(_uri: string, jwt: DecomposedJwt): JwkWithKid {
    const kid = jwt.header.kid;
    const jwk = this.jwks.keys.find((k): k is JwkWithKid => typeof k.kid === "string" && k.kid === kid);
    if (!jwk) throw new KidNotFoundInJwksError(`JWK for kid ${String(kid)} not found in the JWKS`);
    return jwk;
  }
  async getJwk(uri: string, jwt: DecomposedJwt): Promise<JwkWithKid> {
    return this.getCachedJwk(uri, jwt);
  }
  addJwks(): void {}
  async getJwks(): Promise<Jwks> {
    return this.jwks;
  }
}

/**
 * The verification keys: the current key first, then the previous one during a rotation (distinct
 * kids). Deployed, both come from configuration (signer.ts `publicJwk`): no KMS call, no signer.
 */
async function verificationKeys(): Promise<PublicJwk[]> {
  const [current, previous] = await Promise.all([publicJwk(), previousPublicJwk()]);
  return previous && previous.kid !== current.kid ? [current, previous] : [current];
}

function getVerifier() {
  verifier ??= (async () => {
    const keys = await verificationKeys();
    const v = JwtVerifier.create(
      {
        issuer: config.WARDEN_ISSUER,
        audience: config.WARDEN_AUDIENCE,
        // Never fetched (PreloadedJwks): the key set comes from the configuration or the signing key.
        jwksUri: "https://warden.invalid/.well-known/jwks.json",
      },
      { jwksCache: new PreloadedJwks({ keys }) },
    );
    return { verify: (token: string) => v.verify(token) as Promise<Record<string, unknown>> };
  })();
  // A failed key lookup (KMS, in a deployment that ships no key) is retried by the next request
  // rather than cached for the container.
  verifier.catch(() => {
    verifier = undefined;
  });
  return verifier;
}

export async function verifyAccessToken(token: string): Promise<AccessClaims> {
  const v = await getVerifier();
  let payload: Record<string, unknown>;
  try {
    payload = await v.verify(token);
  } catch {
    throw new Unauthorized("Could not validate credentials");
  }
  const { sub, tid, role, jti, iat, exp, rst } = payload;
  if (
    typeof sub !== "string" ||
    typeof tid !== "string" ||
    typeof role !== "string" ||
    typeof jti !== "string" ||
    typeof iat !== "number" ||
    typeof exp !== "number" ||
    (rst !== undefined && !isRestriction(rst))
  ) {
    throw new Unauthorized("Could not validate credentials");
  }
  return { sub, tid, role, jti, iat, exp, ...(rst !== undefined ? { rst } : {}) };
}

/** The JWKS: every key a token may verify with (current, and previous during a rotation). */
export async function jwks(): Promise<{ keys: unknown[] }> {
  return { keys: await verificationKeys() };
}
