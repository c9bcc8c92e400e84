import * as z from "zod/mini";
import { password } from "#shared/identity/schemas.ts";
import { resetPassword } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  user_id: z.number().check(z.int(), z.positive()),
  /** Without one, a temporary password is generated and returned once. */
  new_password: z.optional(password),
  force_change: z.optional(z.boolean()),
  send_email: z.optional(z.boolean()),
});

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/reset-password",
  { body },
  async (req) => {
    const r = await resetPassword(req.principal, req.body);
    req.audit({
      details: {
        target_user_id: r.user.id,
        target_username: r.user.username,
        requires_change: r.requiresChange,
        sessions_terminated: r.sessionsTerminated,
      },
    });
    return {
      status: "reset",
      user_id: r.user.id,
      username: r.user.username,
      message: "Password reset successfully",
      email_sent: r.emailSent,
      requires_change: r.requiresChange,
      sessions_terminated: r.sessionsTerminated,
      ...(r.temporaryPassword ? { temporary_password: r.temporaryPassword } : {}),
    };
  },
);
