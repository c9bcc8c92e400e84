/** POST /lock — emergency system lock: locks users / API keys / SSH, ends the tenant's login sessions. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { lockBody } from "#shared/tenancy/schemas.ts";
import { lockSystem } from "#shared/tenancy/system-lock.ts";
import { LockResponse, lockView } from "#shared/tenancy/views.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/lock",
  { body: lockBody, response: LockResponse },
  async (req) => {
    const b = req.body;
    const out = await lockSystem(
      { tenantId: req.principal.tenantId, username: req.principal.username },
      {
        reason: b.reason,
        durationMinutes: b.duration_minutes,
        lockUsers: b.lock_users,
        lockApi: b.lock_api,
        lockSsh: b.lock_ssh,
        notifyUsers: b.notify_users,
        emergencyContact: b.emergency_contact,
      },
    );
    req.audit({
      severity: "critical",
      resource: "system/lock",
      details: {
        lock_id: out.lock.lockId,
        reason: b.reason,
        locked_until: out.lock.until,
        components_locked: out.lock.components,
        active_sessions_terminated: out.loginSessionsEnded,
        ssh_was_enabled: out.lock.sshWasEnabled,
        notifications_sent: out.notified,
      },
    });
    return lockView(out);
  },
);
