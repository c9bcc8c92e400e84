import { userPath } from "#shared/identity/schemas.ts";
import { getUserDetail, ownedRecords } from "#shared/identity/users.ts";
import { UserDetailResponse, userDetailView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/users/{user_id}",
  { path: userPath, response: UserDetailResponse },
  async (req) => userDetailView(await getUserDetail(req.principal.tenantId, req.path.user_id, ownedRecords)),
);
