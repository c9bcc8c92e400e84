/** POST /firewall/ports/manage — block or unblock an inbound port. */
import * as z from "zod/mini";
import { PORT_PROTOCOLS } from "#shared/fleet/db/firewall.ts";
import { managePort } from "#shared/fleet/firewall.ts";
import { gatewayIdField, schemas, text } from "#shared/fleet/net-validation.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const protocol = z.pipe(
  z.pipe(
    z.string(),
    z.transform((v) => v.toUpperCase()),
  ),
  z.enum(PORT_PROTOCOLS, { error: () => `protocol must be one of ${PORT_PROTOCOLS.join(", ")}` }),
);

const body = z.strictObject({
  action: z.enum(["block", "unblock"]),
  port: schemas.port,
  protocol: z._default(protocol, "TCP"),
  reason: z.optional(text(256)),
  gateway_id: gatewayIdField.body,
});

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/ports/manage",
  { body },
  async (req) => {
    const b = req.body;
    const out = await managePort(
      { tenantId: req.principal.tenantId, gatewayId: b.gateway_id, by: req.principal.username },
      {
        action: b.action,
        port: b.port,
        protocol: b.protocol,
        reason: b.reason,
      },
    );
    req.audit({
      resource: "firewall/ports",
      details: { action: b.action, port: b.port, protocol: b.protocol, reason: b.reason, gateway_id: b.gateway_id },
    });
    return {
      status: "updated",
      action: b.action === "block" ? "blocked" : "unblocked",
      port: b.port,
      protocol: b.protocol,
      blocked_ports: out.blocked_ports,
      message: b.action === "block" ? "Port blocked successfully" : "Port unblocked successfully",
      requires_reload: out.requires_reload,
      config_version: out.config_version,
      sync: out.sync,
    };
  },
);
