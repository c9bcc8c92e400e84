import * as z from "zod/mini";
import { email, fullName, password, username } from "#shared/identity/schemas.ts";
import { createUserByAdmin } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  username,
  full_name: z.optional(fullName),
  email,
  role: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** Without one, a temporary password is generated and returned once. */
  password: z.optional(password),
  two_factor_enabled: z.optional(z.boolean()),
  permissions: z.optional(z.array(z.string().check(z.maxLength(70))).check(z.maxLength(100))),
  send_welcome_email: z.optional(z.boolean()),
  force_password_change: z.optional(z.boolean()),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/users/create", { body }, async (req) => {
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
});
