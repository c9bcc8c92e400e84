import { SecurenetUserResponse, securenetUser } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /api/auth/me", { response: SecurenetUserResponse }, (req) =>
  securenetUser(req.principal.user),
);
