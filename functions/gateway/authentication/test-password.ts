import { getAuthPolicy } from "#shared/identity/auth-policy.ts";
import { checkPassword, policySuggestions } from "#shared/identity/password-rules.ts";
import { estimateStrength } from "#shared/identity/password-strength.ts";
import { testPasswordBody } from "#shared/identity/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/authentication/test-password",
  { body: testPasswordBody },
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
