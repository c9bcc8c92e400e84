/** GET /certificates/status — what the gateway serves (HTTPS, MQTT, client certificates), parsed, and its settings. */
import { certificatesStatus } from "#shared/certificates/certificates.ts";
import { StatusQuery } from "#shared/certificates/schemas.ts";
import { CertificatesStatusView, certificatesStatusView } from "#shared/certificates/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/certificates/status",
  { query: StatusQuery, response: CertificatesStatusView },
  async (req) => certificatesStatusView(await certificatesStatus(req.principal.tenantId, req.query.gateway_id)),
);
