import { apiKeyListing } from "#shared/identity/api-keys.ts";
import { listApiKeysQuery } from "#shared/identity/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/api-keys",
  { query: listApiKeysQuery },
  async (req) => {
    const listing = await apiKeyListing(req.principal.tenantId, {
      status: req.query.status,
      userId: req.query.user_id,
      limit: req.query.limit,
    });
    return {
      api_keys: listing.keys.map((k) => ({
        id: k.id,
        name: k.name,
        key_prefix: k.keyPrefix,
        key_start: k.keyStart,
        scope: k.scopes,
        user: k.owner,
        created: k.createdAt,
        last_used: k.lastUsed,
        expires: k.expiresAt,
        status: k.status,
        usage_count: k.usageCount,
        rate_limit: k.rateLimit,
        ip_restrictions: k.ipRestrictions,
        description: k.description,
      })),
      total: listing.total,
      active: listing.active,
      expired: listing.expired,
      revoked: listing.revoked,
    };
  },
);
