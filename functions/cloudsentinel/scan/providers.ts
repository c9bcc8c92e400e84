/** GET /api/v1/scan/providers — AWS with its services and regions; Azure and GCP listed as not available yet. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { providerCatalogue } from "#shared/posture/providers.ts";
import { ProvidersView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint("GET /api/v1/scan/providers", { response: ProvidersView }, () =>
  providerCatalogue(),
);
