import { createUserBody } from "#shared/identity/schemas.ts";
import { createUserByAdmin } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/create",
  { body: createUserBody },
  async (req) => {
    const { user, temporaryPassword, welcomeEmailSent } = await createUserByAdmin(req.principal, req.body);
    req.audit({
      details: { created_user_id: user.id, username: user.username, role: user.role, permissions: user.permissions },
    });
    req.status(201);
    return {
      status: "created",
      user_id: user.id,
      user: {
        id: user.id,
        username: user.username,
        full_name: user.fullName,
        email: user.email,
        role: user.role,
        status: user.status,
        created_at: user.createdAt,
        permissions: user.permissions,
        two_factor_enabled: user.twoFactorEnabled,
        force_password_change: user.forcePasswordChange,
      },
      message: "User created successfully",
      welcome_email_sent: welcomeEmailSent,
      ...(temporaryPassword ? { temporary_password: temporaryPassword } : {}),
    };
  },
);
