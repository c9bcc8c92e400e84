import { apiKeyListing } from "#shared/identity/api-keys.ts";
import { listApiKeysQuery } from "#shared/identity/schemas.ts";
import { ApiKeyListResponse, apiKeyListView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/api-keys",
  { query: listApiKeysQuery, response: ApiKeyListResponse },
  async (req) => {
    const listing = await apiKeyListing(req.principal.tenantId, {
      status: req.query.status,
      userId: req.query.user_id,
      limit: req.query.limit,
    });
    return apiKeyListView(listing);
  },
);
