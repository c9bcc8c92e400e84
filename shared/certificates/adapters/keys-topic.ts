/**
 * The one-time private-key channel to a gateway, mechanics only (the contract's parameters come
 * from the caller, shared/certificates/ingest.ts): sealing to a gateway's one-time X25519 key
 * (ephemeral-static X25519, HKDF-SHA256, AES-256-GCM with additional data) and publishing on a topic
 * through the IoT data plane (AWS IoT Core, or the local IoT Core's /topics route).
 */
import {
  createCipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
} from "node:crypto";
import type { IoTDataPlaneClient } from "@aws-sdk/client-iot-data-plane";
import { config } from "#shared/kit/config.ts";
import { onFirstUse } from "#shared/kit/lazy.ts";

type IotDataSdk = typeof import("@aws-sdk/client-iot-data-plane");

// The SDK module is imported, and the client built, on first use: a function that imports this
// module but does not publish neither loads the IoT data-plane client's code nor sets it up at its
// cold start (a failed import is retried by the next call).
const client = onFirstUse<{ sdk: IotDataSdk; client: IoTDataPlaneClient }>(() =>
  import("@aws-sdk/client-iot-data-plane").then((sdk) => ({
    sdk,
    client: new sdk.IoTDataPlaneClient({
      region: config.AWS_REGION,
      ...(config.IOT_DATA_ENDPOINT !== undefined
        ? { endpoint: config.IOT_DATA_ENDPOINT, credentials: { accessKeyId: "local", secretAccessKey: "local" } }
        : config.IOT_ENDPOINT_ADDRESS
          ? { endpoint: `https://${config.IOT_ENDPOINT_ADDRESS}` }
          : {}),
    }),
  })),
);

const b64u = (b: Buffer) => b.toString("base64url");

export interface Sealed {
  ephemeral_public_key: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/** Seals `plaintext` to a one-time X25519 public key (32 bytes, base64url). */
export function sealToX25519(
  plaintext: string,
  gatewayPublicKey: string,
  p: { salt: string; info: string; aad: string },
): Sealed {
  const peer = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: gatewayPublicKey }, format: "jwk" });
  const ephemeral = generateKeyPairSync("x25519");
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: peer });
  const key = Buffer.from(hkdfSync("sha256", shared, Buffer.from(p.salt), p.info, 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(p.aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  key.fill(0);
  shared.fill(0);
  return {
    ephemeral_public_key: ephemeral.publicKey.export({ format: "jwk" }).x ?? "",
    iv: b64u(iv),
    ciphertext: b64u(ciphertext),
    tag: b64u(cipher.getAuthTag()),
  };
}

export async function publishJson(topic: string, message: unknown): Promise<void> {
  const iot = await client();
  await iot.client.send(new iot.sdk.PublishCommand({ topic, qos: 1, payload: Buffer.from(JSON.stringify(message)) }));
}
