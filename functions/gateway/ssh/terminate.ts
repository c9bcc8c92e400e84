/**
 * POST /ssh/terminate — ask the session's gateway to end it: the id goes into that gateway's ssh
 * shadow (`terminate_sessions`); the request is recorded on the session and in the audit trail.
 */
import * as z from "zod/mini";
import { text } from "#shared/fleet/net-validation.ts";
import { terminateSession } from "#shared/fleet/ssh.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  session_id: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, "must be a session id as /ssh/sessions lists it")),
  reason: z.optional(text(256)),
  notify_user: z._default(z.boolean(), false),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/ssh/terminate", { body }, async (req) => {
  const b = req.body;
  const out = await terminateSession(
    { tenantId: req.principal.tenantId, by: req.principal.username },
    { sessionId: b.session_id, reason: b.reason, notifyUser: b.notify_user },
  );
  req.audit({
    resource: `ssh/session/${b.session_id}`,
    details: {
      session_id: b.session_id,
      username: out.session.username,
      reason: b.reason,
      gateway_id: out.session.gateway_id,
    },
  });
  return {
    status: "terminated",
    session_id: out.session.session_id,
    username: out.session.username,
    message: "SSH session terminated successfully",
    user_notified: b.notify_user,
    session_duration: out.session_duration,
    gateway_id: out.session.gateway_id,
    config_version: out.config_version,
  };
});
