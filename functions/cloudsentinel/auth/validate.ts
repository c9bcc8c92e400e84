import { CloudsentinelValidationResponse, cloudsentinelValidation } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/v1/auth/validate",
  { response: CloudsentinelValidationResponse },
  (req) => cloudsentinelValidation(req.principal),
);
