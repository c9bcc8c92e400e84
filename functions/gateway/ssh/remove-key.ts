/** POST /ssh/remove-key — remove a login's public key by fingerprint. */
import { RemoveSshKeyBody } from "#shared/fleet/schemas.ts";
import { removeKey } from "#shared/fleet/ssh.ts";
import { SshKeyRemovedResponse, sshKeyRemovedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/ssh/remove-key",
  { body: RemoveSshKeyBody, response: SshKeyRemovedResponse },
  async (req) => {
    const b = req.body;
    const out = await removeKey(
      { tenantId: req.principal.tenantId, gatewayId: b.gateway_id, by: req.principal.username },
      b,
    );
    req.audit({
      resource: `ssh/key/${b.fingerprint}`,
      details: { fingerprint: b.fingerprint, username: b.username, gateway_id: b.gateway_id },
    });
    return sshKeyRemovedView(out);
  },
);
