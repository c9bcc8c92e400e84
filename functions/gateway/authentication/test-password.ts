import { assessPassword } from "#shared/identity/password-strength.ts";
import { testPasswordBody } from "#shared/identity/schemas.ts";
import { PasswordAssessmentResponse, passwordAssessmentView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/authentication/test-password",
  { body: testPasswordBody, response: PasswordAssessmentResponse },
  async (req) =>
    passwordAssessmentView(
      await assessPassword(req.principal.tenantId, {
        password: req.body.password,
        // Checked against the password (prevent_username): the caller's own username when none is given.
        username: req.body.username ?? req.principal.username,
        oldPasswords: req.body.old_passwords,
      }),
    ),
);
