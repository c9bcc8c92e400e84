import * as z from "zod/mini";
import { deleteUser, ownedData } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  user_id: z.number().check(z.int(), z.positive()),
  /** Another user of the tenant who takes over what the deleted user owned. */
  transfer_data_to: z.optional(z.number().check(z.int(), z.positive())),
  archive_data: z.optional(z.boolean()),
  reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/users/delete", { body }, async (req) => {
  const result = await deleteUser(req.principal, req.body, ownedData);
  req.audit({
    details: {
      deleted_user_id: result.user.id,
      username: result.user.username,
      reason: req.body.reason ?? null,
      transferred_to: req.body.transfer_data_to ?? null,
      archived: result.dataArchived,
      sessions_terminated: result.sessionsTerminated,
      api_keys_transferred: result.apiKeysTransferred,
      api_keys_revoked: result.apiKeysRevoked,
    },
  });
  return {
    status: "deleted",
    user_id: result.user.id,
    message: "User deleted successfully",
    data_transferred: result.dataTransferred,
    data_archived: result.dataArchived,
    sessions_terminated: result.sessionsTerminated,
    api_keys_transferred: result.apiKeysTransferred,
    api_keys_revoked: result.apiKeysRevoked,
  };
});
