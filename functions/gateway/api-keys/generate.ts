import { generateApiKey } from "#shared/identity/api-keys.ts";
import { generateApiKeyBody } from "#shared/identity/schemas.ts";
import { ApiKeyGeneratedResponse, apiKeyGeneratedView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/api-keys/generate",
  { body: generateApiKeyBody, response: ApiKeyGeneratedResponse },
  async (req) => {
    const r = await generateApiKey(req.principal, {
      name: req.body.name,
      description: req.body.description,
      scope: req.body.scope,
      userId: req.body.user_id,
      expiryDays: req.body.expiry_days ?? undefined,
      rateLimit: req.body.rate_limit,
      ipRestrictions: req.body.ip_restrictions,
      notify: req.body.notification_on_creation ?? false,
    });
    const { key, owner } = r;
    req.audit({
      resource: `api-key/${key.id}`,
      details: { key_id: key.id, key_prefix: key.keyPrefix, name: key.name, owner_id: owner.id, scope: key.scopes },
    });
    req.status(201);
    return apiKeyGeneratedView(r);
  },
);
