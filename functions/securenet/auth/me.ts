import { securenetUser } from "#shared/identity/views-securenet.ts";
import { endpoint } from "#shared/kit/endpoint.ts";

export const handler = endpoint("GET /api/auth/me", {}, (req) => securenetUser(req.principal.user));
