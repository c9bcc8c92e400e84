/**
 * POST /certificates/renew — starts the ACME renewal workflow for the gateway's certificate and
 * answers its `renewal_id`; a renewal already running for it is answered instead of a second one.
 */
import { startRenewal } from "#shared/certificates/renewal.ts";
import { RenewBody } from "#shared/certificates/schemas.ts";
import { RenewStartedView, renewStartedView } from "#shared/certificates/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/certificates/renew",
  { body: RenewBody, response: RenewStartedView },
  async (req) => {
    const out = await startRenewal({
      tenantId: req.principal.tenantId,
      gatewayId: req.body.gateway_id,
      slot: req.body.certificate_type,
      force: req.body.force,
      by: req.principal.username,
    });
    req.audit({
      resource: `certificates/${out.gatewayId}/${req.body.certificate_type}`,
      details: { gateway_id: out.gatewayId, renewal_id: out.execution.executionId, started: out.started },
    });
    return renewStartedView({ ...out, slot: req.body.certificate_type });
  },
);
