/**
 * An account's state as every route sees it: a lock ends by itself when its time has passed, so
 * sign-in, authentication and the user views all ask here rather than read `status` alone.
 */
import type { User } from "#shared/identity/db/users.ts";

/** A locked account stays locked until `lockedUntil` passes; a lock without an end lasts until unlocked. */
export function isLocked(user: Pick<User, "status" | "lockedUntil">, now = Date.now()): boolean {
  if (user.status !== "locked") return false;
  return user.lockedUntil === null || new Date(user.lockedUntil).getTime() > now;
}

export type UserStatusView = "active" | "inactive" | "locked";

/** What the API shows as status: a lock whose time has passed is no lock (as sign-in sees it). */
export function effectiveStatus(u: Pick<User, "status" | "lockedUntil">, now = Date.now()): UserStatusView {
  if (u.status === "inactive") return "inactive";
  return isLocked(u, now) ? "locked" : "active";
}
