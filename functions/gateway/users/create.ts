import { createUserBody } from "#shared/identity/schemas.ts";
import { addUser } from "#shared/identity/users.ts";
import { createdUserView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/create",
  { body: createUserBody },
  async (req) => {
    const { user, temporaryPassword, welcomeEmailSent } = await addUser(req.principal, req.body);
    req.audit({
      details: { created_user_id: user.id, username: user.username, role: user.role, permissions: user.permissions },
    });
    req.status(201);
    return {
      status: "created",
      user_id: user.id,
      user: createdUserView(user),
      message: "User created successfully",
      welcome_email_sent: welcomeEmailSent,
      ...(temporaryPassword ? { temporary_password: temporaryPassword } : {}),
    };
  },
);
