/**
 * Second factors: TOTP apps (RFC 6238), codes by email or SMS (through the notifier port), and
 * single-use backup codes. Enrolment is two steps — start (a secret or a code is issued) and
 * verify (a correct code activates the factor and returns the backup codes, once). At sign-in a
 * correct password of a user with a factor yields a challenge, completed by
 * `completeTwoFactorSignIn` in sign-in.ts.
 *
 * Secrets are stored envelope-encrypted; backup codes and emailed codes only as SHA-256 hashes
 * (they are random with 50 and 20 bits, and every wrong guess counts against the account).
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { verifyPassword } from "#shared/auth/passwords.ts";
import { decryptSecret, encryptSecret } from "#shared/crypto/envelope.ts";
import { type Challenge, challengePut, parseChallengeItem } from "#shared/identity/db/two-factor-challenges.ts";
import {
  consumeBackupCode,
  consumeTotpStep,
  getUser,
  type TwoFactorMethod,
  type User,
  updateUserItem,
} from "#shared/identity/db/users.ts";
import { Conflict, Forbidden, Invalid } from "#shared/kit/errors.ts";
import type { Item } from "#shared/table/repo.ts";
import { notifier } from "#shared/tenancy/notifier.ts";
import { rejectProof } from "./account-failures.ts";
import { type AuthPolicy, getAuthPolicy } from "./auth-policy.ts";
import type { Principal } from "./principal.ts";
import { base32Decode, base32Encode, generateTotpSecret, otpauthUri, verifyTotp } from "./totp.ts";

const ISSUER = "Warden";
const ENROLMENT_TTL_MS = 15 * 60_000;
export const CHALLENGE_TTL_S = 300;
/** Wrong codes one challenge tolerates before the password step must be repeated. */
export const CHALLENGE_MAX_ATTEMPTS = 5;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const equalHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/** `XXXXX-XXXXX` from a 32-letter alphabet without look-alikes: 50 random bits. */
function backupCode(): string {
  const chars = Array.from(randomBytes(10), (b) => CODE_ALPHABET[b % 32]);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}
const normalizeBackupCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, "");
export const hashBackupCode = (code: string) => sha256(`backup:${normalizeBackupCode(code)}`);

export function newBackupCodes(count: number): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: count }, backupCode);
  return { codes, hashes: codes.map(hashBackupCode) };
}

const sixDigits = () => String(randomInt(0, 1_000_000)).padStart(6, "0");
const codeHash = (scope: string, code: string) => sha256(`${scope}:${code}`);

function fieldError(field: string, msg: string): Invalid {
  return new Invalid(`body.${field}: ${msg}`, [{ loc: ["body", field], msg, type: "value_error" }]);
}

/** Sends a one-time code by the user's email or SMS factor; answers whether it was handed over. */
async function sendCode(
  user: User,
  method: "email" | "sms",
  code: string,
  minutes: number,
  phone?: string | null,
): Promise<boolean> {
  const to = method === "email" ? user.email : (phone ?? user.phone);
  if (!to) return false;
  return notifier.send({
    tenantId: user.tenantId,
    channel: method,
    to,
    subject: "Your Warden verification code",
    body: `Your Warden verification code is ${code}. It expires in ${minutes} minutes.`,
    kind: "two_factor_code",
  });
}

export interface EnrollInput {
  method?: TwoFactorMethod;
  phone?: string;
}

export type EnrollResult =
  | { method: "app"; secret: string; otpauthUri: string; expiresAt: string }
  | { method: "email" | "sms"; codeSent: boolean; destination: string; expiresAt: string };

const maskEmail = (e: string) => e.replace(/^(.)[^@]*(@.*)$/, "$1***$2");
const maskPhone = (p: string) => `${p.slice(0, 3)}***${p.slice(-2)}`;

async function loadSelf(principal: Principal): Promise<{ user: User; policy: AuthPolicy }> {
  if (principal.apiKey) throw new Forbidden("Two-factor settings need a signed-in user, not an API key");
  const [user, policy] = await Promise.all([
    getUser(principal.tenantId, principal.userId, true),
    getAuthPolicy(principal.tenantId),
  ]);
  if (!user) throw new Forbidden("Account no longer exists");
  return { user, policy };
}

/** Starts enrolling a factor for the signed-in user. The app secret is shown here, once. */
export async function startEnrollment(principal: Principal, input: EnrollInput): Promise<EnrollResult> {
  const { user, policy } = await loadSelf(principal);
  const tf = policy.two_factor;
  if (tf.mode === "disabled") throw new Conflict("Two-factor authentication is disabled by this organization's policy");
  const method = input.method ?? tf.default_method;
  if (!tf.methods.includes(method))
    throw fieldError("method", `'${method}' is not allowed; allowed: ${tf.methods.join(", ")}`);
  if (user.twoFactorMethod)
    throw new Conflict("Two-factor authentication is already set up; disable it first to change the method");
  if (method !== "sms" && input.phone !== undefined) throw fieldError("phone", "only for the sms method");
  const expiresAt = new Date(Date.now() + ENROLMENT_TTL_MS).toISOString();
  if (method === "app") {
    const secret = base32Encode(generateTotpSecret());
    const sealed = await encryptSecret(user.tenantId, secret);
    await updateUserItem(user, {
      twoFactorPending: { method, secret: sealed, codeHash: null, phone: null, expiresAt },
    });
    return {
      method,
      secret,
      otpauthUri: otpauthUri({ issuer: ISSUER, account: `${user.username}@${user.tenantId}`, secret }),
      expiresAt,
    };
  }
  const phone = method === "sms" ? input.phone : null;
  if (method === "sms" && !phone) throw fieldError("phone", "required for the sms method (E.164, e.g. +15551234567)");
  const code = sixDigits();
  await updateUserItem(user, {
    twoFactorPending: {
      method,
      secret: null,
      codeHash: codeHash(`enrol:${user.tenantId}:${user.id}`, code),
      phone: phone ?? null,
      expiresAt,
    },
  });
  const sent = await sendCode(user, method, code, ENROLMENT_TTL_MS / 60_000, phone);
  return {
    method,
    codeSent: sent,
    destination: method === "email" ? maskEmail(user.email) : maskPhone(phone ?? ""),
    expiresAt,
  };
}

/** Confirms the pending factor with a code; activates it and returns the backup codes, once. */
export async function confirmEnrollment(
  principal: Principal,
  code: string,
): Promise<{ method: TwoFactorMethod; backupCodes: string[] }> {
  const { user, policy } = await loadSelf(principal);
  const pending = user.twoFactorPending;
  if (!pending || new Date(pending.expiresAt).getTime() <= Date.now()) {
    throw new Conflict("No two-factor enrolment in progress (or it expired); start with /users/2fa/enroll");
  }
  let step = user.lastTotpStep;
  if (pending.method === "app") {
    const secret = await decryptSecret(user.tenantId, pending.secret ?? "");
    const matched = verifyTotp(base32Decode(secret), code, Date.now());
    if (matched === null) throw await rejectProof(user, policy, "code", "invalid_2fa_enrolment_code");
    step = matched;
  } else if (!pending.codeHash || !equalHex(pending.codeHash, codeHash(`enrol:${user.tenantId}:${user.id}`, code))) {
    throw await rejectProof(user, policy, "code", "invalid_2fa_enrolment_code");
  }
  const backup = newBackupCodes(policy.two_factor.backup_codes_count);
  await updateUserItem(user, {
    twoFactorEnabled: true,
    twoFactorMethod: pending.method,
    twoFactorSecret: pending.method === "app" ? pending.secret : null,
    phone: pending.method === "sms" ? pending.phone : user.phone,
    twoFactorPending: null,
    backupCodes: backup.hashes,
    lastTotpStep: step,
    updatedAt: new Date().toISOString(),
  });
  return { method: pending.method, backupCodes: backup.codes };
}

/** Turns 2FA off for the signed-in user, proven by a current code or the password. */
export async function disableTwoFactor(
  principal: Principal,
  proof: { code?: string; password?: string },
): Promise<void> {
  const { user, policy } = await loadSelf(principal);
  const tf = policy.two_factor;
  if (tf.mode === "required" || (tf.mode !== "disabled" && tf.enforced_for_roles.includes(user.role))) {
    throw new Conflict(`Two-factor authentication is required for role '${user.role}' by this organization's policy`);
  }
  if (!user.twoFactorMethod && !user.twoFactorEnabled) throw new Conflict("Two-factor authentication is not enabled");
  // A wrong password or code counts towards the account lockout like a failed sign-in: a stolen
  // login session cannot be used to guess the password (or a code) here.
  if (proof.password !== undefined) {
    if (!(await verifyPassword(proof.password, user.passwordHash))) {
      throw await rejectProof(user, policy, "password", "invalid_password_2fa_disable");
    }
  } else {
    const check = await checkSecondFactor(user, proof.code ?? "", null, Date.now());
    // Nothing to use up: switching 2FA off clears the factor and every backup code.
    if (!check.ok) {
      throw await rejectProof(user, policy, "code", "invalid_2fa_code_2fa_disable");
    }
  }
  await updateUserItem(user, {
    twoFactorEnabled: false,
    twoFactorMethod: null,
    twoFactorSecret: null,
    twoFactorPending: null,
    backupCodes: [],
    updatedAt: new Date().toISOString(),
  });
}

/** The user fields that switch 2FA off (an administrator's reset: lost phone, left company). */
export const TWO_FACTOR_CLEARED = {
  twoFactorMethod: null,
  twoFactorSecret: null,
  twoFactorPending: null,
  backupCodes: [],
} as const;

export interface FactorCheck {
  ok: boolean;
  method?: "app" | "email" | "sms" | "backup_code";
  /** What using the factor consumes: the accepted TOTP step, or the backup code (its index and hash). */
  consumes?: { totpStep: number } | { backupCode: { index: number; hash: string } };
}

/**
 * Checks a sign-in code against the user's factor: a 6-digit code for the app (TOTP, never the
 * same step twice) or for an emailed/SMS challenge, or one of the backup codes. Nothing is used up
 * here: `useSecondFactor` does that, atomically.
 */
export async function checkSecondFactor(
  user: User,
  code: string,
  challenge: Challenge | null,
  now: number,
): Promise<FactorCheck> {
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) {
    if (user.twoFactorMethod === "app" && user.twoFactorSecret) {
      const secret = base32Decode(await decryptSecret(user.tenantId, user.twoFactorSecret));
      const step = verifyTotp(secret, trimmed, now, { notAfterStep: user.lastTotpStep });
      return step === null ? { ok: false } : { ok: true, method: "app", consumes: { totpStep: step } };
    }
    if ((user.twoFactorMethod === "email" || user.twoFactorMethod === "sms") && challenge?.codeHash) {
      const ok = equalHex(challenge.codeHash, codeHash(`login:${user.tenantId}:${user.id}`, trimmed));
      return ok ? { ok, method: user.twoFactorMethod } : { ok: false };
    }
    return { ok: false };
  }
  const hash = hashBackupCode(trimmed);
  const index = user.backupCodes.findIndex((h) => equalHex(h, hash));
  if (normalizeBackupCode(trimmed).length !== 10 || index < 0) return { ok: false };
  return {
    ok: true,
    method: "backup_code",
    consumes: { backupCode: { index, hash: user.backupCodes[index] ?? hash } },
  };
}

/**
 * Uses up what an accepted factor consumes — the TOTP step, the backup code — atomically, so two
 * requests presenting the same code cannot both pass. False when another request used it first.
 */
export async function useSecondFactor(user: User, check: FactorCheck): Promise<boolean> {
  const c = check.consumes;
  if (!c) return true;
  if ("totpStep" in c) return consumeTotpStep(user, c.totpStep);
  return consumeBackupCode(user, c.backupCode.index, c.backupCode.hash);
}

/** Challenge tokens are `<tenant>.<secret>`; only the secret's hash is stored. */
export function parseChallengeToken(token: string): { tenantId: string; digest: string } | undefined {
  const m = token.match(/^([a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?)\.([A-Za-z0-9_-]{43})$/);
  if (!m?.[1] || !m[2]) return undefined;
  return { tenantId: m[1], digest: sha256(m[2]) };
}

export function parseChallenge(item: Item | undefined, now: number): Challenge | undefined {
  const c = parseChallengeItem(item);
  return c && c.expiresAt * 1000 > now ? c : undefined;
}

/**
 * The challenge after a correct password: its token, the methods that can answer it, and the
 * item to write. An email or SMS factor gets its code sent now.
 */
export async function issueChallenge(user: User, now: number) {
  const secret = randomBytes(32).toString("base64url");
  const methods: string[] = user.twoFactorMethod ? [user.twoFactorMethod] : [];
  if (user.backupCodes.length > 0) methods.push("backup_code");
  let hash: string | null = null;
  if (user.twoFactorMethod === "email" || user.twoFactorMethod === "sms") {
    const code = sixDigits();
    hash = codeHash(`login:${user.tenantId}:${user.id}`, code);
    await sendCode(user, user.twoFactorMethod, code, CHALLENGE_TTL_S / 60);
  }
  const item = challengePut(
    {
      tenantId: user.tenantId,
      userId: user.id,
      expiresAt: Math.floor(now / 1000) + CHALLENGE_TTL_S,
      attempts: 0,
      codeHash: hash,
      methods,
    },
    sha256(secret),
  );
  return { token: `${user.tenantId}.${secret}`, methods, expiresIn: CHALLENGE_TTL_S, item };
}
