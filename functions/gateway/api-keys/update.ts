import { updateApiKey } from "#shared/identity/api-keys.ts";
import { updateApiKeyBody } from "#shared/identity/schemas.ts";
import { ApiKeyUpdatedResponse, apiKeyUpdatedView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/api-keys/update",
  { body: updateApiKeyBody, response: ApiKeyUpdatedResponse },
  async (req) => {
    const r = await updateApiKey(req.principal, {
      keyId: req.body.key_id,
      name: req.body.name,
      description: req.body.description,
      scope: req.body.scope,
      expiryDays: req.body.expiry_days,
      rateLimit: req.body.rate_limit,
      ipRestrictions: req.body.ip_restrictions,
    });
    const { key, changes } = r;
    req.audit({ resource: `api-key/${key.id}`, details: { key_id: key.id, key_prefix: key.keyPrefix, changes } });
    return apiKeyUpdatedView(r);
  },
);
