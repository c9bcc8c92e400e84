import { listUsersQuery } from "#shared/identity/schemas.ts";
import { listUserSummaries } from "#shared/identity/users.ts";
import { UserListResponse, userListView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/users",
  { query: listUsersQuery, response: UserListResponse },
  async (req) => userListView(await listUserSummaries(req.principal.tenantId, req.query)),
);
