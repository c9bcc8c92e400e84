/**
 * The emergency system lock (gateway spec "Lock System" / "Unlock System"). The endpoint kit
 * enforces a lock stored on the tenant item (authenticate.ts `systemLockApplies`); this module sets
 * and clears it and does what comes with it:
 *
 * - `users`: every live login session of every user of the tenant is ended — the caller's own too ("All
 *   users will be logged out"). Signing in still works during a lock, but the new token reaches
 *   only routes flagged `allowDuringSystemLock` (unlock, sign-out). Note: a fresh sign-in of an
 *   admin without 2FA in a tenant that enforces 2FA for admins yields a token restricted to 2FA
 *   enrolment, which may not call unlock, and enrolment itself is locked: such a tenant needs an
 *   admin with 2FA enrolled to unlock early, or waits for the lock to expire.
 * - `api`: API keys get 423 (enforced by the kit alone).
 * - `ssh`: SSH is switched off tenant-wide through the ordinary SSH settings path
 *   (`updateSshSettings`, which writes every gateway's ssh shadow); the previous `enabled` is kept
 *   on the lock and restored by unlock. A gateway whose own override turns SSH on gets that override
 *   switched off too (and back on at unlock): "every gateway's SSH" means every gateway.
 *
 * Unlock takes the tenant's admin PIN (set with POST /lock/pin, stored as a scrypt hash) or, as the
 * break-glass path, the lock's one-time emergency code (shown once in the lock response, stored as
 * a scrypt hash): either one suffices; `admin_pin` must still be well-formed.
 */

import { randomInt } from "node:crypto";
import { hashPassword, verifyPassword } from "#shared/auth/passwords.ts";
import { loadSnapshot } from "#shared/fleet/shadow-sync.ts";
import { sshSettingsOf, sshSpec, updateSshSettings } from "#shared/fleet/ssh.ts";
import { listUsersWithLiveLoginSessions, transactEndingLoginSessions } from "#shared/identity/login-sessions.ts";
import { Conflict, Forbidden, Invalid, NotFound, TooManyRequests } from "#shared/kit/errors.ts";
import { pad } from "#shared/table/keys.ts";
import { nextId } from "#shared/table/repo.ts";
import { getLockPin, LOCK_SEQUENCE, saveLockPin } from "#shared/tenancy/db/system-lock.ts";
import { getTenant, type Tenant, tenantUpdateItem, updateTenantItem } from "#shared/tenancy/db/tenants.ts";
import { rateSubjects, releasePlace, reservePlace } from "./db/rate-windows.ts";
import { type Notification, notifyAll } from "./notifier.ts";

export interface Caller {
  tenantId: string;
  username: string;
}

export interface LockInput {
  reason: string;
  durationMinutes: number;
  lockUsers: boolean;
  lockApi: boolean;
  lockSsh: boolean;
  notifyUsers: boolean;
  emergencyContact?: string;
}

/** The admin PIN: 4 to 12 digits. */
export const PIN_PATTERN = /^\d{4,12}$/;

type TenantLock = NonNullable<Tenant["lock"]>;

/** Spec timestamps carry whole seconds ("2025-03-15T11:00:00Z"). */
const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

const isActive = (lock: TenantLock, now: number): boolean => Date.parse(lock.until) > now;

/** `EMG-` and 8 random digits: typed by a human in an emergency, useless without an admin's login session. */
const newEmergencyCode = (): string => `EMG-${String(randomInt(0, 100_000_000)).padStart(8, "0")}`;

async function loadTenant(tenantId: string): Promise<Tenant> {
  // Read consistently: the lock decisions must see the latest lock.
  const tenant = await getTenant(tenantId, true);
  if (!tenant) throw new NotFound(`organization '${tenantId}' not found`);
  return tenant;
}

/** SSH `enabled` tenant-wide, and the gateways whose own override turns SSH on. */
async function currentSsh(tenantId: string): Promise<{ enabled: boolean; overridesOn: number[] }> {
  const snap = await loadSnapshot(sshSpec, tenantId);
  return {
    enabled: sshSettingsOf(snap.tenantDoc, undefined).enabled,
    overridesOn: [...snap.overlays].filter(([, doc]) => doc.settings.enabled === true).map(([id]) => id),
  };
}

/** Switches SSH on or off tenant-wide and on the given gateways' overrides (the ordinary settings path). */
async function switchSsh(caller: Caller, enabled: boolean, tenantWide: boolean, gatewayIds: number[]) {
  const by = caller.username;
  if (tenantWide) await updateSshSettings({ tenantId: caller.tenantId, by }, { enabled });
  if (gatewayIds.length === 0) return;
  // A gateway deregistered meanwhile has no override left to change.
  const live = new Set((await loadSnapshot(sshSpec, caller.tenantId)).gateways.map((g) => g.id));
  for (const gatewayId of gatewayIds.filter((id) => live.has(id))) {
    await updateSshSettings({ tenantId: caller.tenantId, gatewayId, by }, { enabled });
  }
}

export async function lockSystem(caller: Caller, input: LockInput) {
  const now = new Date();
  const tenant = await loadTenant(caller.tenantId);
  const previous = tenant.lock;
  if (previous && isActive(previous, now.getTime())) {
    throw new Conflict(
      `system is already locked: lock_id ${previous.lockId} is active until ${previous.until}; unlock it first`,
    );
  }
  const components = [
    ...(input.lockUsers ? ["users"] : []),
    ...(input.lockApi ? ["api"] : []),
    ...(input.lockSsh ? ["ssh"] : []),
  ];
  if (components.length === 0) {
    const msg = "a lock must lock something: set at least one of lock_users, lock_api, lock_ssh";
    throw new Invalid(`body.lock_users: ${msg}`, [{ loc: ["body", "lock_users"], msg, type: "value_error" }]);
  }
  // An expired lock that was never unlocked may still hold SSH off: keep ITS pre-lock value, so the
  // next unlock restores what the tenant had before any lock.
  let sshWasEnabled = previous?.sshWasEnabled;
  let sshGatewaysWereEnabled = previous?.sshGatewaysWereEnabled ?? [];
  if (input.lockSsh) {
    const ssh = await currentSsh(caller.tenantId);
    sshWasEnabled ??= ssh.enabled;
    sshGatewaysWereEnabled = [...new Set([...sshGatewaysWereEnabled, ...ssh.overridesOn])];
  }

  const code = newEmergencyCode();
  const [seq, emergencyCodeHash, users] = await Promise.all([
    nextId(caller.tenantId, LOCK_SEQUENCE),
    hashPassword(code),
    input.lockUsers
      ? listUsersWithLiveLoginSessions(caller.tenantId, { consistent: true, now: now.getTime() })
      : Promise.resolve([]),
  ]);
  const lockId = `LOCK-${pad(seq, 3)}`;
  const until = isoSeconds(new Date(now.getTime() + input.durationMinutes * 60_000));
  const lock: TenantLock = {
    lockId,
    until,
    reason: input.reason,
    components,
    emergencyCodeHash,
    ...(sshWasEnabled === undefined ? {} : { sshWasEnabled }),
    ...(sshGatewaysWereEnabled.length ? { sshGatewaysWereEnabled } : {}),
    lockedBy: caller.username,
    lockedAt: now.toISOString(),
  };
  const loginSessions = users.flatMap((u) => u.loginSessions);
  // The lock and the first revocations are one transaction; the tenant's version makes a
  // concurrent lock (or any tenant change) a 409 rather than a lost update.
  await transactEndingLoginSessions([tenantUpdateItem(tenant, { lock })], loginSessions, [
    `organization '${caller.tenantId}' was changed by another request (a concurrent lock?); reload and retry`,
  ]);

  if (input.lockSsh) await switchSsh(caller, false, true, sshGatewaysWereEnabled);

  const messages: Notification[] = [];
  const text =
    `Access to organization '${tenant.name}' was locked by ${caller.username} until ${until} (${lockId}).\n` +
    `Reason: ${input.reason}\nLocked: ${components.join(", ") || "nothing"}.`;
  const mail = (to: string): Notification => ({
    tenantId: caller.tenantId,
    channel: "email",
    to,
    subject: `Security alert: system locked (${lockId})`,
    body: text,
    kind: "system_locked",
  });
  if (input.notifyUsers) {
    const recipients = (
      users.length
        ? users.map((u) => u.user)
        : (await listUsersWithLiveLoginSessions(caller.tenantId)).map((u) => u.user)
    )
      .filter((u) => u.status !== "inactive")
      .map((u) => u.email);
    messages.push(...recipients.map(mail));
  }
  if (input.emergencyContact) messages.push(mail(input.emergencyContact));
  const notified = await notifyAll(messages);

  return {
    lock,
    emergencyCode: code,
    loginSessionsEnded: loginSessions.length,
    notified,
  };
}

/**
 * Wrong proofs offered to unlock (a PIN, an emergency code, the current PIN when replacing it) are
 * budgeted per tenant, across every credential: 5 a minute, however many users, tokens or API
 * keys offer them — guessing a 4-digit PIN takes longer than the longest lock. A place in the
 * budget is taken before a proof is checked (so concurrent guesses cannot overrun it) and given
 * back when the proof was right.
 */
export const UNLOCK_PROOFS_PER_MINUTE = 5;

async function checkUnlockProof(tenantId: string, check: () => Promise<boolean>): Promise<boolean> {
  const now = Math.floor(Date.now() / 1000);
  const windowStart = now - (now % 60);
  const subject = rateSubjects.unlockProofs(tenantId);
  if (!(await reservePlace(subject, "unlock-proof", windowStart, windowStart + 120, UNLOCK_PROOFS_PER_MINUTE))) {
    throw new TooManyRequests(
      `At most ${UNLOCK_PROOFS_PER_MINUTE} wrong unlock attempts a minute per organization; retry after the reset`,
      { "Retry-After": String(Math.max(1, windowStart + 60 - now)) },
    );
  }
  // A refusal thrown by the check keeps the place taken; a right proof gives it back.
  const ok = await check();
  if (ok) await releasePlace(subject, "unlock-proof", windowStart);
  return ok;
}

/** What an unlock attempt established, for the audit record (filled in as it goes). */
export type UnlockReport = {
  lock_id?: string;
  method?: "admin_pin" | "emergency_code";
  failed_field?: string;
  expired?: boolean;
  /** Set by the unlock route once it tried the post-unlock scan. */
  post_unlock_scan_scheduled?: boolean;
};

export async function unlockSystem(
  caller: Caller,
  input: { adminPin: string; emergencyCode?: string },
  report: UnlockReport = {},
) {
  const now = new Date();
  const [tenant, pin] = await Promise.all([loadTenant(caller.tenantId), getLockPin(caller.tenantId)]);
  const lock = tenant.lock;
  if (!lock) throw new Conflict("system is not locked");
  report.lock_id = lock.lockId;
  report.expired = !isActive(lock, now.getTime());

  const pinHash = pin.pinHash;
  const codeHash = lock.emergencyCodeHash;
  const emergencyCode = input.emergencyCode;
  // One unlock request is one attempt, whether it offers the PIN, the emergency code or both.
  await checkUnlockProof(caller.tenantId, async () => {
    if (pinHash && (await verifyPassword(input.adminPin, pinHash))) {
      report.method = "admin_pin";
      return true;
    }
    if (emergencyCode === undefined) {
      report.failed_field = "admin_pin";
      throw new Forbidden(
        pinHash
          ? "body.admin_pin: wrong PIN"
          : "body.admin_pin: no emergency PIN is set for this organization (POST /cloud-integration/security/lock/pin); use emergency_code",
      );
    }
    if (codeHash && (await verifyPassword(emergencyCode, codeHash))) {
      report.method = "emergency_code";
      return true;
    }
    report.failed_field = "emergency_code";
    throw new Forbidden("body.emergency_code: wrong emergency code for the active lock");
  });

  await updateTenantItem(tenant, { lock: undefined });
  const sshRestored = lock.sshWasEnabled === true || (lock.sshGatewaysWereEnabled ?? []).length > 0;
  await switchSsh(caller, true, lock.sshWasEnabled === true, lock.sshGatewaysWereEnabled ?? []);
  const lockedAt = lock.lockedAt ? Date.parse(lock.lockedAt) : now.getTime();
  const ended = Math.min(now.getTime(), Date.parse(lock.until));
  return {
    unlockedBy: caller.username,
    unlockedAt: isoSeconds(now),
    /** How long the lock was in force, up to its expiry or this unlock. */
    lockDurationMs: ended - lockedAt,
    sshRestored,
    // The unlock route starts the post-unlock scan (shared/scans) once the lock is lifted, and says so.
    postUnlockScanScheduled: false,
  };
}

/** Sets the tenant's unlock PIN; replacing an existing one needs the current PIN. */
export async function setLockPin(caller: Caller, input: { pin: string; currentPin?: string }) {
  const stored = await getLockPin(caller.tenantId);
  if (stored.pinHash) {
    if (input.currentPin === undefined) {
      throw new Invalid("body.current_pin: required to replace the existing PIN", [
        { loc: ["body", "current_pin"], msg: "required to replace the existing PIN", type: "missing" },
      ]);
    }
    const currentPin = input.currentPin;
    const pinHash = stored.pinHash;
    if (!(await checkUnlockProof(caller.tenantId, () => verifyPassword(currentPin, pinHash)))) {
      throw new Forbidden("body.current_pin: does not match the current PIN");
    }
  }
  const updatedAt = new Date().toISOString();
  await saveLockPin(caller.tenantId, stored, {
    pinHash: await hashPassword(input.pin),
    updatedAt,
    updatedBy: caller.username,
  });
  return { replaced: !!stored.pinHash, updatedAt };
}
