import { changeOwnPassword } from "#shared/identity/passwords.ts";
import { changePasswordBody } from "#shared/identity/schemas.ts";
import { PasswordChangedResponse, passwordChangedView } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/change-password",
  { body: changePasswordBody, response: PasswordChangedResponse },
  async (req) => {
    // A wrong current password is audited (and counted towards the account's lockout).
    const r = await withAuthEvents(req.audit, () =>
      changeOwnPassword(req.principal, {
        currentPassword: req.body.current_password,
        newPassword: req.body.new_password,
      }),
    );
    req.audit({ details: { sessions_terminated: r.loginSessionsEnded } });
    return passwordChangedView(r);
  },
);
