import * as z from "zod/mini";
import { lockUser } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  user_id: z.number().check(z.int(), z.positive()),
  action: z.enum(["lock", "unlock"]),
  reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  /** Without it a lock lasts until the account is unlocked. */
  duration_minutes: z.optional(z.number().check(z.int(), z.gte(1), z.lte(525_600))),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/users/lock", { body }, async (req) => {
  const r = await lockUser(req.principal, req.body);
  const locking = req.body.action === "lock";
  req.audit({
    event: locking ? "User Locked" : "User Unlocked",
    eventType: locking ? "user_locked" : "user_unlocked",
    severity: locking ? "warning" : "info",
    details: {
      target_user_id: r.user.id,
      target_username: r.user.username,
      reason: req.body.reason ?? null,
      locked_until: r.lockedUntil,
      sessions_terminated: r.sessionsTerminated,
    },
  });
  return {
    status: locking ? "locked" : "unlocked",
    user_id: r.user.id,
    username: r.user.username,
    locked_until: r.lockedUntil,
    message: locking ? `User account locked${req.body.reason ? `: ${req.body.reason}` : ""}` : "User account unlocked",
    notified: r.notified,
    ...(locking ? { sessions_terminated: r.sessionsTerminated } : {}),
  };
});
