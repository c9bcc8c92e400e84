import { generateApiKey } from "#shared/identity/api-keys.ts";
import { generateApiKeyBody } from "#shared/identity/schemas.ts";
import { generatedApiKeyView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/api-keys/generate",
  { body: generateApiKeyBody },
  async (req) => {
    const { key, fullKey, owner, notificationsSent } = await generateApiKey(req.principal, {
      name: req.body.name,
      description: req.body.description,
      scope: req.body.scope,
      userId: req.body.user_id,
      expiryDays: req.body.expiry_days ?? undefined,
      rateLimit: req.body.rate_limit,
      ipRestrictions: req.body.ip_restrictions,
      notify: req.body.notification_on_creation ?? false,
    });
    req.audit({
      resource: `api-key/${key.id}`,
      details: { key_id: key.id, key_prefix: key.keyPrefix, name: key.name, owner_id: owner.id, scope: key.scopes },
    });
    req.status(201);
    return {
      status: "generated",
      api_key: generatedApiKeyView(key, fullKey, owner),
      warning: "Store this key securely. The full key will not be shown again.",
      // The key is not kept anywhere after this response, so there is nothing a download could serve.
      download_url: null,
      notifications_sent: notificationsSent,
    };
  },
);
