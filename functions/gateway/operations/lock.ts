/** POST /lock — emergency system lock: locks users / API keys / SSH, ends the tenant's sessions. */
import * as z from "zod/mini";
import { email } from "#shared/identity/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { lockSystem } from "#shared/tenancy/system-lock.ts";

const body = z.strictObject({
  reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
  duration_minutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(1440)), 30),
  lock_users: z._default(z.boolean(), true),
  lock_api: z._default(z.boolean(), true),
  lock_ssh: z._default(z.boolean(), true),
  notify_users: z._default(z.boolean(), false),
  emergency_contact: z.optional(email),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/lock", { body }, async (req) => {
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
      active_sessions_terminated: out.sessionsTerminated,
      ssh_was_enabled: out.lock.sshWasEnabled,
      notifications_sent: out.notified,
    },
  });
  return out.response;
});
