import { createUserBody } from "#shared/identity/schemas.ts";
import { addUser } from "#shared/identity/users.ts";
import { UserCreatedResponse, userCreatedView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/create",
  { body: createUserBody, response: UserCreatedResponse },
  async (req) => {
    const b = req.body;
    const r = await addUser(req.principal, {
      username: b.username,
      email: b.email,
      fullName: b.full_name,
      role: b.role,
      password: b.password,
      twoFactorEnabled: b.two_factor_enabled,
      permissions: b.permissions,
      sendWelcomeEmail: b.send_welcome_email,
      forcePasswordChange: b.force_password_change,
    });
    const { user } = r;
    req.audit({
      details: { created_user_id: user.id, username: user.username, role: user.role, permissions: user.permissions },
    });
    req.status(201);
    return userCreatedView(r);
  },
);
