import { resetPasswordBody } from "#shared/identity/schemas.ts";
import { resetPassword } from "#shared/identity/users.ts";
import { PasswordResetResponse, passwordResetView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/reset-password",
  { body: resetPasswordBody, response: PasswordResetResponse },
  async (req) => {
    const b = req.body;
    const r = await resetPassword(req.principal, {
      userId: b.user_id,
      newPassword: b.new_password,
      forceChange: b.force_change,
      sendEmail: b.send_email,
    });
    req.audit({
      details: {
        target_user_id: r.user.id,
        target_username: r.user.username,
        requires_change: r.requiresChange,
        sessions_terminated: r.loginSessionsEnded,
      },
    });
    return passwordResetView(r);
  },
);
