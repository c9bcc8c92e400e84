import { updateUserBody } from "#shared/identity/schemas.ts";
import { updateUser } from "#shared/identity/users.ts";
import { updatedUserView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/update",
  { body: updateUserBody },
  async (req) => {
    const { user, changes, notified, sessionsTerminated } = await updateUser(req.principal, req.body);
    req.audit({
      userId: req.principal.userId,
      details: { target_user_id: user.id, target_username: user.username, changes, notes: req.body.notes ?? null },
    });
    return {
      status: "updated",
      user: updatedUserView(user),
      message: "User updated successfully",
      notify_user: notified,
      changes,
      sessions_terminated: sessionsTerminated,
    };
  },
);
