import { revokeApiKey } from "#shared/identity/api-keys.ts";
import { revokeApiKeyBody } from "#shared/identity/schemas.ts";
import { ApiKeyRevokedResponse, apiKeyRevokedView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/api-keys/revoke",
  { body: revokeApiKeyBody, response: ApiKeyRevokedResponse },
  async (req) => {
    const r = await revokeApiKey(req.principal, {
      keyId: req.body.key_id,
      reason: req.body.reason,
      notify: req.body.notify_user ?? false,
    });
    const { key } = r;
    req.audit({
      resource: `api-key/${key.id}`,
      details: {
        key_id: key.id,
        key_prefix: key.keyPrefix,
        name: key.name,
        owner_id: key.userId,
        reason: req.body.reason ?? null,
      },
    });
    return apiKeyRevokedView(r);
  },
);
