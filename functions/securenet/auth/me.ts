import { securenetUser } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /api/auth/me", {}, (req) => securenetUser(req.principal.user));
