/**
 * The access-token signing key. In AWS it is a KMS asymmetric key (ECC_NIST_P256): the private key
 * never leaves KMS. Locally it is a P-256 key generated once under `.local/`. Both sign ES256.
 *
 * Verification needs the public half only. A deployment ships it as configuration
 * (`WARDEN_JWT_PUBLIC_KEY`, and `WARDEN_JWT_PREVIOUS_PUBLIC_KEY` during a rotation: SPKI PEM read
 * from KMS once at deploy time, infra/constructs/token-public-keys.ts), so a function that verifies
 * tokens or serves the JWKS neither loads the KMS client nor calls KMS at a cold start. Without it
 * (an older deployment, local mode) the public half is read from the signing key, as before.
 */
import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject, sign } from "node:crypto";
import { config } from "#shared/kit/config.ts";
import { onFirstUse } from "#shared/kit/lazy.ts";

export type PublicJwk = {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
  kid: string;
  alg: "ES256";
  use: "sig";
};

export interface Signer {
  publicJwk(): Promise<PublicJwk>;
  /** ES256 signature (raw r||s, 64 bytes) over `input`. */
  sign(input: Buffer): Promise<Buffer>;
}

/** RFC 7638 thumbprint: a stable kid derived from the key itself. */
function toPublicJwk(key: KeyObject): PublicJwk {
  const jwk = key.export({ format: "jwk" }) as JsonWebKey;
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || !jwk.x || !jwk.y) throw new Error("signing key must be EC P-256");
  const thumb = createHash("sha256")
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest("base64url");
  return { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, kid: thumb, alg: "ES256", use: "sig" };
}

/**
 * A public key given as configuration (PEM). Its `kid` is derived from the key itself, so the kid a
 * verifier selects by can never disagree with the key it verifies with.
 */
function configuredPublicJwk(pem: string, variable: string): PublicJwk {
  try {
    const key = createPublicKey(pem);
    return toPublicJwk(key);
  } catch (err) {
    throw new Error(`${variable} is not a P-256 public key (PEM): ${(err as Error).message}`);
  }
}

let configured: PublicJwk | undefined;
/** `WARDEN_JWT_PUBLIC_KEY`, parsed once; undefined where the deployment does not ship it. */
function configuredCurrentJwk(): PublicJwk | undefined {
  const pem = config.WARDEN_JWT_PUBLIC_KEY;
  if (!pem) return undefined;
  if (pem.includes("PRIVATE KEY")) throw new Error("WARDEN_JWT_PUBLIC_KEY must hold a public key, never a private one");
  configured ??= configuredPublicJwk(pem, "WARDEN_JWT_PUBLIC_KEY");
  return configured;
}

/**
 * A signer that also has the shipped public key checks, once, that it is its own: a deploy-time
 * lookup that handed the verifiers another key would otherwise let sign-in issue tokens that no
 * verifier accepts. Sign-in then fails loudly, naming the cause, instead.
 */
function checkedAgainstConfiguration(own: PublicJwk): PublicJwk {
  const shipped = configuredCurrentJwk();
  if (shipped && shipped.kid !== own.kid) {
    throw new Error(
      `WARDEN_JWT_PUBLIC_KEY (kid ${shipped.kid}) is not the signing key's public half (kid ${own.kid}): ` +
        "tokens signed now would not verify; redeploy so the lookup reads the current key",
    );
  }
  return own;
}

function localSigner(pem: string): Signer {
  const privateKey = createPrivateKey(pem);
  const jwk = toPublicJwk(createPublicKey(privateKey));
  return {
    publicJwk: async () => checkedAgainstConfiguration(jwk),
    sign: async (input) => sign("sha256", input, { key: privateKey, dsaEncoding: "ieee-p1363" }),
  };
}

/** Imported lazily so functions that only verify tokens locally never load the KMS client. */
const kmsOnce = onFirstUse<{ m: typeof import("@aws-sdk/client-kms"); kms: import("@aws-sdk/client-kms").KMSClient }>(
  () => import("@aws-sdk/client-kms").then((m) => ({ m, kms: new m.KMSClient({}) })),
);

/** A KMS key's public half, checked to be an ES256 signing key (ECC_NIST_P256, SIGN_VERIFY). */
async function kmsPublicKey(keyId: string): Promise<KeyObject> {
  const { m, kms } = await kmsOnce();
  const out = await kms.send(new m.GetPublicKeyCommand({ KeyId: keyId }));
  if (!out.PublicKey) throw new Error("KMS returned no public key");
  if (
    out.KeySpec !== "ECC_NIST_P256" ||
    out.KeyUsage !== "SIGN_VERIFY" ||
    !out.SigningAlgorithms?.includes("ECDSA_SHA_256")
  ) {
    throw new Error(`${keyId} is ${out.KeySpec} ${out.KeyUsage}, not an ECC_NIST_P256 SIGN_VERIFY (ES256) key`);
  }
  return createPublicKey({ key: Buffer.from(out.PublicKey), format: "der", type: "spki" });
}

async function kmsPublicJwk(keyId: string): Promise<PublicJwk> {
  return toPublicJwk(await kmsPublicKey(keyId));
}

/**
 * The deploy-time lookup (functions/workers/token-public-keys.ts): a KMS signing key's public half
 * as SPKI PEM, the form `WARDEN_JWT_PUBLIC_KEY` / `WARDEN_JWT_PREVIOUS_PUBLIC_KEY` take.
 */
export async function kmsPublicKeyPem(keyId: string): Promise<string> {
  const key = await kmsPublicKey(keyId);
  toPublicJwk(key); // P-256, or refuse
  return key.export({ format: "pem", type: "spki" }).toString();
}

function kmsSigner(keyId: string): Signer {
  let jwk: Promise<PublicJwk> | undefined;
  const client = kmsOnce();
  return {
    publicJwk() {
      jwk ??= kmsPublicJwk(keyId).then(checkedAgainstConfiguration);
      // A failed lookup is retried by the next sign-in rather than cached for the container.
      jwk.catch(() => {
        jwk = undefined;
      });
      return jwk;
    },
    async sign(input) {
      const { m, kms } = await client;
      const out = await kms.send(
        new m.SignCommand({ KeyId: keyId, Message: input, MessageType: "RAW", SigningAlgorithm: "ECDSA_SHA_256" }),
      );
      if (!out.Signature) throw new Error("KMS returned no signature");
      return derToP1363(Buffer.from(out.Signature));
    },
  };
}

/** KMS returns an ASN.1 DER ECDSA signature; JWS wants the fixed-width r||s form. */
export function derToP1363(der: Buffer): Buffer {
  let offset = 2;
  if ((der[1] ?? 0) & 0x80) offset += (der[1] ?? 0) & 0x7f;
  const readInt = (): Buffer => {
    if (der[offset] !== 0x02) throw new Error("bad DER signature");
    const len = der[offset + 1] ?? 0;
    const int = der.subarray(offset + 2, offset + 2 + len);
    offset += 2 + len;
    const trimmed = int[0] === 0 ? int.subarray(1) : int;
    return Buffer.concat([Buffer.alloc(32 - trimmed.length), trimmed]);
  };
  return Buffer.concat([readInt(), readInt()]);
}

function createSigner(): Signer {
  if (config.JWT_KMS_KEY_ID) return kmsSigner(config.JWT_KMS_KEY_ID);
  if (config.WARDEN_JWT_PRIVATE_KEY) return localSigner(config.WARDEN_JWT_PRIVATE_KEY);
  throw new Error("No token signing key: set JWT_KMS_KEY_ID (AWS) or WARDEN_JWT_PRIVATE_KEY (local)");
}

let signer: Signer | undefined;
export function getSigner(): Signer {
  signer ??= createSigner();
  return signer;
}

/**
 * The current key's public half, for verification and the JWKS: the shipped configuration where
 * there is one (no signer is built, no KMS client loaded), else the signing key's.
 */
export function publicJwk(): Promise<PublicJwk> {
  try {
    const shipped = configuredCurrentJwk();
    if (shipped) return Promise.resolve(shipped);
  } catch (err) {
    return Promise.reject(err);
  }
  return getSigner().publicJwk();
}

/**
 * The previous signing key's public half, during a rotation's overlap only (docs/token-key-rotation.md):
 * tokens it signed keep verifying, and the JWKS lists it, until the deployment stops naming it.
 * Never used to sign. `WARDEN_JWT_PREVIOUS_PUBLIC_KEY` (a PEM: deployed, read from KMS at deploy
 * time for `-c previousTokenKeyArn=`; locally also the private key it derives from); an older
 * deployment names the key instead (`JWT_PREVIOUS_KMS_KEY_ID`), read from KMS once per container.
 */
let previous: Promise<PublicJwk | undefined> | undefined;
export function previousPublicJwk(): Promise<PublicJwk | undefined> {
  const shipped = config.WARDEN_JWT_PREVIOUS_PUBLIC_KEY;
  previous ??= shipped
    ? Promise.resolve().then(() => configuredPublicJwk(shipped, "WARDEN_JWT_PREVIOUS_PUBLIC_KEY"))
    : config.JWT_PREVIOUS_KMS_KEY_ID
      ? kmsPublicJwk(config.JWT_PREVIOUS_KMS_KEY_ID)
      : Promise.resolve(undefined);
  // A failed lookup is retried by the next caller rather than cached.
  previous.catch(() => {
    previous = undefined;
  });
  return previous;
}
