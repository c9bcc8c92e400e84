import * as z from "zod/mini";
import { getAuthPolicy } from "#shared/identity/auth-policy.ts";
import { checkPassword, policySuggestions } from "#shared/identity/password-rules.ts";
import { estimateStrength } from "#shared/identity/password-strength.ts";
import { password } from "#shared/identity/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  password,
  /** Checked against the password (prevent_username); the caller's own username when absent. */
  username: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
  /** Previous passwords, for the reuse check. */
  old_passwords: z.optional(z.array(password).check(z.maxLength(24))),
});

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/authentication/test-password",
  { body },
  async (req) => {
    const policy = await getAuthPolicy(req.principal.tenantId);
    const username = req.body.username ?? req.principal.username;
    const reused = (req.body.old_passwords ?? []).includes(req.body.password);
    const { checks, issues } = checkPassword(req.body.password, policy.password_policy, { username, reused });
    const strength = estimateStrength(req.body.password, [username]);
    const suggestions = [
      ...new Set([
        ...policySuggestions(checks, policy.password_policy),
        ...(strength.warning ? [strength.warning] : []),
        ...strength.suggestions,
      ]),
    ];
    return {
      strength: strength.strength,
      score: strength.score,
      meets_policy: issues.length === 0,
      issues,
      suggestions,
      checks,
      estimated_crack_time: strength.estimatedCrackTime,
    };
  },
);
