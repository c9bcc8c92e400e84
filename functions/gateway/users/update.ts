import { updateUserBody } from "#shared/identity/schemas.ts";
import { updateUser } from "#shared/identity/users.ts";
import { UserUpdatedResponse, userUpdatedView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/update",
  { body: updateUserBody, response: UserUpdatedResponse },
  async (req) => {
    const b = req.body;
    const r = await updateUser(req.principal, {
      userId: b.user_id,
      fullName: b.full_name,
      email: b.email,
      role: b.role,
      twoFactorEnabled: b.two_factor_enabled,
      permissions: b.permissions,
      status: b.status,
      notes: b.notes,
      enterprises: b.enterprises,
    });
    const { user, changes } = r;
    req.audit({
      userId: req.principal.userId,
      details: { target_user_id: user.id, target_username: user.username, changes, notes: req.body.notes ?? null },
    });
    return userUpdatedView(r);
  },
);
