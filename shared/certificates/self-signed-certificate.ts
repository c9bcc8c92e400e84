/**
 * Self-signed certificates (POST …/certificates/generate-self-signed): generated with @peculiar/x509,
 * which only this module and ACME renewal load — the other certificate routes' bundles stay without
 * it. The key and the bundle are sealed and handed out once through download links.
 */
import { encryptSecret } from "#shared/crypto/envelope.ts";
import { DOWNLOAD_SECONDS, randomId } from "./certificates.ts";
import { putOneTime } from "./db/certificates.ts";
import { generateSelfSigned, type SelfSignedRequest, subjectName } from "./self-signed.ts";
import { certificateInfo, parseCertificate } from "./x509.ts";

export async function generateSelfSignedCertificate(
  tenantId: string,
  by: string,
  r: SelfSignedRequest,
  now = new Date(),
) {
  const made = await generateSelfSigned(r, now);
  const cert = parseCertificate(made.certificatePem, "certificate");
  const info = certificateInfo(cert);
  const token = randomId();
  const expiresAt = Math.floor(now.getTime() / 1000) + DOWNLOAD_SECONDS;
  const sealedKey = await encryptSecret(tenantId, made.privateKeyPem);
  const sealedBundle = await encryptSecret(tenantId, `${made.certificatePem}${made.privateKeyPem}`);
  await Promise.all([
    putOneTime(tenantId, "CERTDL", `${token}#cert`, {
      kind: "cert",
      content: made.certificatePem,
      sealed: false,
      owner: by,
      expiresAt,
    }),
    putOneTime(tenantId, "CERTDL", `${token}#key`, {
      kind: "key",
      content: sealedKey,
      sealed: true,
      owner: by,
      expiresAt,
    }),
    putOneTime(tenantId, "CERTDL", `${token}#bundle`, {
      kind: "bundle",
      content: sealedBundle,
      sealed: true,
      owner: by,
      expiresAt,
    }),
  ]);
  return { ...made, info, subject: subjectName(r), token, expiresAt };
}
