import { createRole } from "#shared/identity/roles.ts";
import { createRoleBody } from "#shared/identity/schemas.ts";
import { RoleCreatedResponse, roleCreatedView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/roles",
  { body: createRoleBody, response: RoleCreatedResponse },
  async (req) => {
    const role = await createRole(req.principal, req.body);
    req.audit({ details: { role: role.id, permissions: role.permissions } });
    req.status(201);
    return roleCreatedView(role);
  },
);
