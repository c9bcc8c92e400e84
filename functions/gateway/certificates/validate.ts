/** POST /certificates/validate — every check of a certificate (with key and chain when given), computed; stores nothing. */
import { certificateGateway, examine, overallValid } from "#shared/certificates/certificates.ts";
import { ValidateBody } from "#shared/certificates/schemas.ts";
import { ValidationView, validationView } from "#shared/certificates/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/certificates/validate",
  { body: ValidateBody, response: ValidationView },
  async (req) => {
    const b = req.body;
    await certificateGateway(req.principal.tenantId, b.gateway_id, "gateway_id");
    const x = examine(
      {
        certificate: b.certificate_data,
        privateKey: b.private_key_data,
        chain: b.chain_data,
        fields: { certificate: "certificate_data", privateKey: "private_key_data", chain: "chain_data" },
      },
      new Date(),
    );
    return validationView({
      valid: overallValid(x.checks),
      checks: x.checks,
      info: x.info,
      recommendations: x.recommendations,
    });
  },
);
