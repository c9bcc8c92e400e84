import { deleteUserBody } from "#shared/identity/schemas.ts";
import { deleteUser, ownedData } from "#shared/identity/users.ts";
import { UserDeletedResponse, userDeletedView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/delete",
  { body: deleteUserBody, response: UserDeletedResponse },
  async (req) => {
    const b = req.body;
    const result = await deleteUser(
      req.principal,
      { userId: b.user_id, transferDataTo: b.transfer_data_to, archiveData: b.archive_data, reason: b.reason },
      ownedData,
    );
    req.audit({
      details: {
        deleted_user_id: result.user.id,
        username: result.user.username,
        reason: req.body.reason ?? null,
        transferred_to: req.body.transfer_data_to ?? null,
        archived: result.dataArchived,
        sessions_terminated: result.loginSessionsEnded,
        api_keys_transferred: result.apiKeysTransferred,
        api_keys_revoked: result.apiKeysRevoked,
      },
    });
    return userDeletedView(result);
  },
);
