/**
 * The password checks a tenant's policy asks for. Used wherever a password is set (signup,
 * register, user create, reset) so the policy is enforced in one place.
 */
import { Invalid } from "#shared/kit/errors.ts";
import type { AuthPolicy } from "./auth-policy.ts";

/**
 * The most common passwords and their stems (from the public top-lists). Checked by stem, so
 * "Password123!" and "Welcome2025#" are caught too. The strength estimator's much larger
 * dictionaries are used by test-password for the score; this list is what every password-setting
 * route enforces, and it stays small enough for every bundle.
 */
const COMMON = new Set([
  "password",
  "passw0rd",
  "p@ssword",
  "p@ssw0rd",
  "pass",
  "pass123",
  "password1",
  "123456",
  "12345678",
  "123456789",
  "1234567890",
  "1234567",
  "12345",
  "123123",
  "111111",
  "000000",
  "654321",
  "666666",
  "121212",
  "112233",
  "qwerty",
  "qwertyuiop",
  "qwerty123",
  "qwe123",
  "asdfgh",
  "zxcvbnm",
  "1q2w3e4r",
  "1qaz2wsx",
  "abc123",
  "abcd1234",
  "letmein",
  "welcome",
  "admin",
  "administrator",
  "iloveyou",
  "monkey",
  "dragon",
  "football",
  "baseball",
  "soccer",
  "hockey",
  "master",
  "sunshine",
  "princess",
  "trustno1",
  "changeme",
  "secret",
  "root",
  "toor",
  "default",
  "login",
  "superman",
  "batman",
  "starwars",
  "shadow",
  "michael",
  "jennifer",
  "jordan",
  "hunter",
  "ranger",
  "harley",
  "charlie",
  "thomas",
  "robert",
  "daniel",
  "andrew",
  "joshua",
  "matthew",
  "george",
  "summer",
  "winter",
  "spring",
  "autumn",
  "flower",
  "freedom",
  "whatever",
  "computer",
  "internet",
  "killer",
  "pepper",
  "cheese",
  "ginger",
  "buster",
  "tigger",
  "cookie",
  "maggie",
  "hello",
  "hellohello",
  "loveme",
  "lovely",
  "access",
  "mustang",
  "ninja",
  "azerty",
  "solo",
  "pokemon",
  "samsung",
  "google",
  "cisco",
  "oracle",
  "system",
  "security",
  "welcome1",
  "temp",
  "temppass",
  "guest",
  "test",
  "testing",
  "demo",
  "user",
  "support",
  "service",
  "warden",
]);
const SEQUENCES = ["abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

export interface PasswordCheck {
  passed: boolean;
  [k: string]: unknown;
}

export interface PasswordChecks {
  length: PasswordCheck;
  uppercase: PasswordCheck;
  lowercase: PasswordCheck;
  numbers: PasswordCheck;
  special: PasswordCheck;
  sequential: PasswordCheck;
  common: PasswordCheck;
  username_match: PasswordCheck;
  reuse: PasswordCheck;
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

export function hasSequence(password: string, run = 4): boolean {
  const p = password.toLowerCase();
  for (const seq of SEQUENCES) {
    const both = seq + [...seq].reverse().join("");
    for (let i = 0; i + run <= p.length; i++) {
      if (both.includes(p.slice(i, i + run))) return true;
    }
  }
  return /(.)\1{3,}/.test(p);
}

/** The shortest unit `s` is a repetition of ("abcabc" → "abc"). */
function repeatedUnit(s: string): string {
  for (let n = 1; n <= s.length / 2; n++) {
    if (s.length % n === 0 && s.slice(0, n).repeat(s.length / n) === s) return s.slice(0, n);
  }
  return s;
}

/** A common password, its stem ("Password123!"), or one repeated to meet a length rule ("passwordpassword"). */
export function isCommon(password: string): boolean {
  const p = password.toLowerCase();
  const stem = p.replace(/[\d\W_]+$/g, "").replace(/^[\d\W_]+/g, "");
  const letters = p.replace(/[\d\W_]+/g, "");
  return COMMON.has(p) || COMMON.has(stem) || COMMON.has(repeatedUnit(stem)) || COMMON.has(repeatedUnit(letters));
}

/**
 * Runs every check. `reusedHistory` is true when the password matches one of the user's previous
 * hashes (the caller verifies hashes; this module never sees them).
 */
export function checkPassword(
  password: string,
  policy: AuthPolicy["password_policy"],
  ctx: { username?: string; reused?: boolean } = {},
): { checks: PasswordChecks; issues: string[] } {
  const upper = count(password, /\p{Lu}/gu);
  const lower = count(password, /\p{Ll}/gu);
  const digits = count(password, /\p{Nd}/gu);
  const special = count(password, /[^\p{L}\p{Nd}]/gu);
  const length = [...password].length;
  const username = ctx.username?.toLowerCase();
  const checks: PasswordChecks = {
    length: {
      passed: length >= policy.min_length && length <= policy.max_length,
      actual: length,
      required: policy.min_length,
    },
    uppercase: { passed: !policy.require_uppercase || upper > 0, count: upper },
    lowercase: { passed: !policy.require_lowercase || lower > 0, count: lower },
    numbers: { passed: !policy.require_numbers || digits > 0, count: digits },
    special: { passed: !policy.require_special_chars || special > 0, count: special },
    sequential: { passed: !policy.prevent_sequential || !hasSequence(password) },
    common: { passed: !policy.prevent_common || !isCommon(password) },
    username_match: {
      passed:
        !policy.prevent_username || !username || username.length < 3 || !password.toLowerCase().includes(username),
    },
    reuse: { passed: !policy.prevent_reuse || !ctx.reused },
  };
  const issues: string[] = [];
  if (!checks.length.passed) {
    issues.push(
      length < policy.min_length
        ? `must be at least ${policy.min_length} characters`
        : `must be at most ${policy.max_length} characters`,
    );
  }
  if (!checks.uppercase.passed) issues.push("must contain an uppercase letter");
  if (!checks.lowercase.passed) issues.push("must contain a lowercase letter");
  if (!checks.numbers.passed) issues.push("must contain a number");
  if (!checks.special.passed) issues.push("must contain a special character");
  if (!checks.sequential.passed) issues.push("must not contain sequences such as 'abcd' or '1234'");
  if (!checks.common.passed) issues.push("is a commonly used password");
  if (!checks.username_match.passed) issues.push("must not contain the username");
  if (!checks.reuse.passed) issues.push("was used recently");
  return { checks, issues };
}

/** Throws a 400 naming the field when the password does not meet the policy. */
export function assertPasswordMeetsPolicy(
  password: string,
  policy: AuthPolicy["password_policy"],
  ctx: { username?: string; reused?: boolean; field?: string } = {},
): void {
  const { issues } = checkPassword(password, policy, ctx);
  if (issues.length > 0) {
    const field = ctx.field ?? "password";
    throw new Invalid(
      `body.${field}: ${issues.join("; ")}`,
      issues.map((msg) => ({ loc: ["body", field], msg: `password ${msg}`, type: "value_error.password_policy" })),
    );
  }
}

/** Advice for a password: what the policy still asks for, then what would make it stronger. */
export function policySuggestions(checks: PasswordChecks, policy: AuthPolicy["password_policy"]): string[] {
  const out: string[] = [];
  if (!checks.length.passed) out.push(`Use between ${policy.min_length} and ${policy.max_length} characters`);
  if (!checks.uppercase.passed) out.push("Add an uppercase letter");
  if (!checks.lowercase.passed) out.push("Add a lowercase letter");
  if (!checks.numbers.passed) out.push("Add a number");
  if (!checks.special.passed) out.push("Add a special character");
  if (!checks.sequential.passed) out.push("Avoid sequences and repeated characters");
  if (!checks.common.passed) out.push("Avoid common passwords and their variations");
  if (!checks.username_match.passed) out.push("Do not include the username");
  if (!checks.reuse.passed) out.push("Choose a password you have not used before");
  if (checks.special.count === 0 && checks.special.passed) out.push("Consider adding special characters");
  return out;
}
