import { disableTwoFactorBody } from "#shared/identity/schemas.ts";
import { disableTwoFactor } from "#shared/identity/two-factor.ts";
import { TwoFactorDisabledResponse, twoFactorDisabledView } from "#shared/identity/views.ts";
import { withAuthEvents } from "#shared/kit/auth-events.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/2fa/disable",
  { body: disableTwoFactorBody, response: TwoFactorDisabledResponse },
  async (req) => {
    const { code, password: pw } = req.body;
    if ((code === undefined) === (pw === undefined)) {
      const msg = "give exactly one of code or password";
      throw new Invalid(`body.code: ${msg}`, [{ loc: ["body", "code"], msg, type: "value_error" }]);
    }
    // A refused proof was counted towards the lockout; its events reach the audit trail.
    await withAuthEvents(req.audit, async () => {
      await disableTwoFactor(req.principal, { code, password: pw });
      return { events: [] };
    });
    return twoFactorDisabledView();
  },
);
