/**
 * POST /ssh/terminate — ask the SSH session's gateway to end it: the id goes into that gateway's
 * ssh shadow (`terminate_sessions`); the request is recorded on the SSH session and in the audit trail.
 */
import { TerminateSshSessionBody } from "#shared/fleet/schemas.ts";
import { terminateSshSession } from "#shared/fleet/ssh.ts";
import { SshSessionTerminatedResponse, sshSessionTerminatedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/ssh/terminate",
  { body: TerminateSshSessionBody, response: SshSessionTerminatedResponse },
  async (req) => {
    const b = req.body;
    const out = await terminateSshSession(
      { tenantId: req.principal.tenantId, by: req.principal.username },
      { sshSessionId: b.session_id, reason: b.reason, notifyUser: b.notify_user },
    );
    req.audit({
      resource: `ssh/session/${b.session_id}`,
      details: {
        session_id: b.session_id,
        username: out.sshSession.username,
        reason: b.reason,
        gateway_id: out.sshSession.gatewayId,
      },
    });
    return sshSessionTerminatedView(out);
  },
);
