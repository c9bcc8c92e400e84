/**
 * GET /api/v1/scan/providers — AWS with its services, regions and the credential types this tenant
 * may use; Azure and GCP listed as not available yet.
 */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { providerCatalogue } from "#shared/posture/providers.ts";
import { ProvidersView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint("GET /api/v1/scan/providers", { response: ProvidersView }, (req) =>
  providerCatalogue(req.principal.tenant),
);
