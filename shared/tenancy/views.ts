/**
 * Tenancy as the gateway spec shows it: the emergency lock's and the settings save-all's answers
 * (snake_case), from the domain's results (camelCase). Beside each view, the zod schema of its
 * answer (`…Response`), which the endpoints declare and the tests check answers against.
 */
import * as z from "zod/mini";
import { responseSchema } from "#shared/kit/text.ts";
import type { SaveAllResult } from "./save-all.ts";
import type { lockSystem, setLockPin, unlockSystem } from "./system-lock.ts";

type LockResult = Awaited<ReturnType<typeof lockSystem>>;
type UnlockResult = Awaited<ReturnType<typeof unlockSystem>>;

const timestamp = /* @__PURE__ */ responseSchema(() => z.iso.datetime({ offset: true }));
const count = /* @__PURE__ */ responseSchema(() => z.number().check(z.int(), z.gte(0)));
const component = /* @__PURE__ */ responseSchema(() => z.enum(["users", "api", "ssh"]));

/** A duration as the spec writes it: `hh:mm:ss`. */
export function formatHms(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}

/** POST /lock: the emergency access code is shown here, once. */
export const lockView = (r: LockResult) => ({
  status: "locked",
  lock_id: r.lock.lockId,
  locked_until: r.lock.until,
  components_locked: r.lock.components,
  active_sessions_terminated: r.loginSessionsEnded,
  message: r.lock.components.includes("users") ? "System locked. All users will be logged out." : "System locked.",
  emergency_access_code: r.emergencyCode,
});

export const LockResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("locked"),
    lock_id: z.string().check(z.describe('"LOCK-001"')),
    locked_until: timestamp,
    components_locked: z.array(component),
    active_sessions_terminated: count,
    message: z.string(),
    emergency_access_code: z
      .string()
      .check(z.describe("Break-glass code for POST /unlock; shown once, only its hash is kept")),
  }),
);

export const unlockView = (r: UnlockResult) => ({
  status: "unlocked",
  unlocked_by: r.unlockedBy,
  unlocked_at: r.unlockedAt,
  lock_duration: formatHms(r.lockDurationMs),
  message: `System unlocked successfully${r.sshRestored ? "; SSH re-enabled" : ""}. ${
    r.postUnlockScanScheduled
      ? "A security scan is running (GET /cloud-integration/security/scan/results once it completes)."
      : "No post-unlock security scan could be started (see POST /cloud-integration/security/scan)."
  }`,
  post_unlock_scan_scheduled: r.postUnlockScanScheduled,
});

export const UnlockResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("unlocked"),
    unlocked_by: z.string(),
    unlocked_at: timestamp,
    lock_duration: z.string().check(z.regex(/^\d{2,}:[0-5]\d:[0-5]\d$/), z.describe("hh:mm:ss")),
    message: z.string(),
    post_unlock_scan_scheduled: z.boolean(),
  }),
);

/** POST /lock/pin (beyond spec). */
export const lockPinView = (r: Awaited<ReturnType<typeof setLockPin>>) => ({
  status: "set",
  message: r.replaced ? "Emergency PIN changed" : "Emergency PIN set",
  updated_at: r.updatedAt,
});

export const LockPinResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("set"),
    message: z.string(),
    updated_at: timestamp,
  }),
);

/** Spec timestamps carry whole seconds ("2025-03-15T11:00:00Z"). */
const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** POST /settings/save-all. */
export const saveAllView = (r: SaveAllResult, at = new Date()) => ({
  status: "saved",
  timestamp: isoSeconds(at),
  changes: r.changes,
  restart_required: r.restartRequired,
  affected_services: r.affectedServices,
});

const changes = /* @__PURE__ */ responseSchema(() =>
  z.record(z.string(), z.strictObject({ old: z.unknown(), new: z.unknown() })),
);

export const SaveAllResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    status: z.literal("saved"),
    timestamp,
    changes: z
      .partialRecord(z.enum(["authentication", "firewall", "ssh", "audit", "certificates"]), changes)
      .check(z.describe("Per section, each changed field as {old, new}; unchanged sections are absent")),
    restart_required: z.boolean(),
    affected_services: z.array(z.string()),
  }),
);
