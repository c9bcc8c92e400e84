/** POST /ssh/remove-key — remove a login's public key by fingerprint. */
import * as z from "zod/mini";
import { gatewayIdField } from "#shared/fleet/net-validation.ts";
import { removeKey } from "#shared/fleet/ssh.ts";
import { sshUsername } from "#shared/fleet/ssh-keys.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  fingerprint: z
    .string()
    .check(z.regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "must be a SHA256 fingerprint as ssh-keygen -lf prints it")),
  username: sshUsername,
  gateway_id: gatewayIdField.body,
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/ssh/remove-key", { body }, async (req) => {
  const b = req.body;
  const out = await removeKey(
    { tenantId: req.principal.tenantId, gatewayId: b.gateway_id, by: req.principal.username },
    b,
  );
  req.audit({
    resource: `ssh/key/${b.fingerprint}`,
    details: { fingerprint: b.fingerprint, username: b.username, gateway_id: b.gateway_id },
  });
  return {
    status: "removed",
    fingerprint: out.key.fingerprint,
    username: out.key.username,
    message: "SSH public key removed successfully",
    config_version: out.config_version,
    sync: out.sync,
  };
});
