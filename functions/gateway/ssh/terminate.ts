/**
 * POST /ssh/terminate — ask the session's gateway to end it: the id goes into that gateway's ssh
 * shadow (`terminate_sessions`); the request is recorded on the session and in the audit trail.
 */
import { TerminateSshSessionBody } from "#shared/fleet/schemas.ts";
import { terminateSession } from "#shared/fleet/ssh.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/ssh/terminate",
  { body: TerminateSshSessionBody },
  async (req) => {
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
  },
);
