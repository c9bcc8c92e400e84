import { listRoles } from "#shared/identity/roles.ts";
import { roleListView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /cloud-integration/security/roles", {}, async (req) =>
  roleListView(await listRoles(req.principal.tenantId)),
);
