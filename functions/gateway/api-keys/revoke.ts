import { revokeApiKey } from "#shared/identity/api-keys.ts";
import { revokeApiKeyBody } from "#shared/identity/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/api-keys/revoke",
  { body: revokeApiKeyBody },
  async (req) => {
    const { key, sessionsTerminated, userNotified } = await revokeApiKey(req.principal, {
      keyId: req.body.key_id,
      reason: req.body.reason,
      notify: req.body.notify_user ?? false,
    });
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
    return {
      status: "revoked",
      key_id: key.id,
      key_name: key.name,
      message: "API key revoked successfully",
      user_notified: userNotified,
      sessions_terminated: sessionsTerminated,
    };
  },
);
