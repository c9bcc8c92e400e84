import { endpoint } from "#shared/http/endpoint.ts";
import { cloudsentinelUser } from "#shared/views/cloudsentinel.ts";

export const handler = endpoint("GET /api/v1/auth/me", {}, (req) => cloudsentinelUser(req.principal.user));
