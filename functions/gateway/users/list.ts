import { listUsersQuery } from "#shared/identity/schemas.ts";
import { listUserViews } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /cloud-integration/security/users", { query: listUsersQuery }, (req) =>
  listUserViews(req.principal.tenantId, req.query),
);
