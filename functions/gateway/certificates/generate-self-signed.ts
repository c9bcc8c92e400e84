/**
 * POST /certificates/generate-self-signed — a fresh key pair and self-signed certificate (and CSR).
 * The private key is answered once and kept only sealed, behind one-time download links (10 minutes).
 */
import { certificateGateway } from "#shared/certificates/certificates.ts";
import { SelfSignedBody } from "#shared/certificates/schemas.ts";
import { generateSelfSignedCertificate } from "#shared/certificates/self-signed-certificate.ts";
import { SelfSignedView, selfSignedView } from "#shared/certificates/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/certificates/generate-self-signed",
  { body: SelfSignedBody, response: SelfSignedView },
  async (req) => {
    const b = req.body;
    const gateway = await certificateGateway(req.principal.tenantId, b.gateway_id, "gateway_id");
    const made = await generateSelfSignedCertificate(req.principal.tenantId, req.principal.username, {
      commonName: b.common_name,
      organization: b.organization,
      organizationalUnit: b.organizational_unit,
      country: b.country,
      state: b.state,
      locality: b.locality,
      validDays: b.valid_days,
      algorithm: b.algorithm,
      keySize: b.key_size,
      san: b.san,
      password: b.password,
    });
    req.audit({
      resource: `certificates/${gateway.id}/self-signed`,
      details: {
        gateway_id: gateway.id,
        subject: made.subject,
        fingerprint: made.info.fingerprint,
        algorithm: b.algorithm,
      },
    });
    return selfSignedView({ ...made, algorithm: b.algorithm });
  },
);
