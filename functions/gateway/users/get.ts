import { userPath } from "#shared/identity/schemas.ts";
import { getUserDetail, ownedRecords } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /cloud-integration/security/users/{user_id}", { path: userPath }, (req) =>
  getUserDetail(req.principal.tenantId, req.path.user_id, ownedRecords),
);
