import { endpoint } from "#shared/http/endpoint.ts";
import { securenetUser } from "#shared/views/securenet.ts";

export const handler = endpoint("GET /api/auth/me", {}, (req) => securenetUser(req.principal.user));
