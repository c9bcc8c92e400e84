import { listRoles } from "#shared/identity/roles.ts";
import { RoleListResponse, roleListView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/roles",
  { response: RoleListResponse },
  async (req) => roleListView(await listRoles(req.principal.tenantId)),
);
