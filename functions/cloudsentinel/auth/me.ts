import { CloudsentinelUserResponse, cloudsentinelUser } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /api/v1/auth/me", { response: CloudsentinelUserResponse }, (req) =>
  cloudsentinelUser(req.principal.user),
);
