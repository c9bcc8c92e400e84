/**
 * The password checks a tenant's policy asks for. Used wherever a password is set (signup,
 * register, user create, reset) so the policy is enforced in one place.
 */
import { Invalid } from "#shared/errors.ts";
import type { AuthPolicy } from "./auth-policy.ts";

/** The most common passwords and their stems; a full blocklist arrives with the strength estimator. */
const COMMON = new Set([
  "password",
  "passw0rd",
  "123456",
  "12345678",
  "123456789",
  "1234567890",
  "qwerty",
  "qwertyuiop",
  "abc123",
  "letmein",
  "welcome",
  "admin",
  "administrator",
  "iloveyou",
  "monkey",
  "dragon",
  "football",
  "baseball",
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

export function isCommon(password: string): boolean {
  const p = password.toLowerCase();
  const stem = p.replace(/[\d\W_]+$/g, "").replace(/^[\d\W_]+/g, "");
  return COMMON.has(p) || COMMON.has(stem);
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
