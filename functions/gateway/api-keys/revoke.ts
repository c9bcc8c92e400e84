import * as z from "zod/mini";
import { revokeApiKey } from "#shared/identity/api-keys.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  key_id: z.int().check(z.positive()),
  reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  notify_user: z.optional(z.boolean()),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/api-keys/revoke", { body }, async (req) => {
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
});
