/**
 * The access-token signing key. In AWS it is a KMS asymmetric key (ECC_NIST_P256): the private key
 * never leaves KMS. Locally it is a P-256 key generated once under `.local/`. Both sign ES256.
 */
import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject, sign } from "node:crypto";
import { config } from "#shared/kit/config.ts";

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

function localSigner(pem: string): Signer {
  const privateKey = createPrivateKey(pem);
  const jwk = toPublicJwk(createPublicKey(privateKey));
  return {
    publicJwk: async () => jwk,
    sign: async (input) => sign("sha256", input, { key: privateKey, dsaEncoding: "ieee-p1363" }),
  };
}

/** Imported lazily so functions that only verify tokens locally never load the KMS client. */
let kmsClient:
  | Promise<{ m: typeof import("@aws-sdk/client-kms"); kms: import("@aws-sdk/client-kms").KMSClient }>
  | undefined;
const kmsOnce = () => {
  kmsClient ??= import("@aws-sdk/client-kms").then((m) => ({ m, kms: new m.KMSClient({}) }));
  return kmsClient;
};

async function kmsPublicJwk(keyId: string): Promise<PublicJwk> {
  const { m, kms } = await kmsOnce();
  const out = await kms.send(new m.GetPublicKeyCommand({ KeyId: keyId }));
  if (!out.PublicKey) throw new Error("KMS returned no public key");
  return toPublicJwk(createPublicKey({ key: Buffer.from(out.PublicKey), format: "der", type: "spki" }));
}

function kmsSigner(keyId: string): Signer {
  let jwk: Promise<PublicJwk> | undefined;
  const client = kmsOnce();
  return {
    publicJwk() {
      jwk ??= kmsPublicJwk(keyId);
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
 * The previous signing key's public half, during a rotation's overlap only (docs/token-key-rotation.md):
 * tokens it signed keep verifying, and the JWKS lists it, until the deployment stops naming it.
 * Never used to sign. Deployed: `JWT_PREVIOUS_KMS_KEY_ID` (`-c previousTokenKeyArn=`); locally:
 * `WARDEN_JWT_PREVIOUS_PUBLIC_KEY` (a PEM).
 */
let previous: Promise<PublicJwk | undefined> | undefined;
export function previousPublicJwk(): Promise<PublicJwk | undefined> {
  previous ??= config.JWT_PREVIOUS_KMS_KEY_ID
    ? kmsPublicJwk(config.JWT_PREVIOUS_KMS_KEY_ID)
    : Promise.resolve(
        config.WARDEN_JWT_PREVIOUS_PUBLIC_KEY
          ? toPublicJwk(createPublicKey(config.WARDEN_JWT_PREVIOUS_PUBLIC_KEY))
          : undefined,
      );
  // A failed lookup is retried by the next caller rather than cached.
  previous.catch(() => {
    previous = undefined;
  });
  return previous;
}
