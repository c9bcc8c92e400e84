import { lockUserBody } from "#shared/identity/schemas.ts";
import { lockUser } from "#shared/identity/users.ts";
import { UserLockResponse, userLockView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/users/lock",
  { body: lockUserBody, response: UserLockResponse },
  async (req) => {
    const b = req.body;
    const r = await lockUser(req.principal, {
      userId: b.user_id,
      action: b.action,
      reason: b.reason,
      durationMinutes: b.duration_minutes,
    });
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
        sessions_terminated: r.loginSessionsEnded,
      },
    });
    return userLockView(r, req.body);
  },
);
