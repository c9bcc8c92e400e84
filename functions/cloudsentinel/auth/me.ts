import { cloudsentinelUser } from "#shared/identity/views-cloudsentinel.ts";
import { endpoint } from "#shared/kit/endpoint.ts";

export const handler = endpoint("GET /api/v1/auth/me", {}, (req) => cloudsentinelUser(req.principal.user));
