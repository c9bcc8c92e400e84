/** POST /firewall/whitelist/manage — add or remove an address or network; entries may carry an expiry. */
import * as z from "zod/mini";
import { manageList } from "#shared/fleet/firewall.ts";
import { gatewayIdField, schemas, text } from "#shared/fleet/net-validation.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  action: z.enum(["add", "remove"]),
  ip_address: schemas.cidr,
  description: z.optional(text(256)),
  expires: z.optional(
    z.iso.datetime({ offset: true }).check(z.refine((v) => Date.parse(v) > Date.now(), "must be in the future")),
  ),
  gateway_id: gatewayIdField.body,
});

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/whitelist/manage",
  { body },
  async (req) => {
    const b = req.body;
    const expires = b.action === "add" && b.expires ? new Date(b.expires).toISOString() : undefined;
    const out = await manageList(
      { tenantId: req.principal.tenantId, gatewayId: b.gateway_id, by: req.principal.username },
      "whitelist",
      {
        action: b.action,
        address: b.ip_address,
        description: b.description,
        expires,
      },
    );
    req.audit({
      resource: "firewall/whitelist",
      details: { action: b.action, ip_address: b.ip_address, expires, gateway_id: b.gateway_id },
    });
    return {
      status: "updated",
      action: b.action === "add" ? "added" : "removed",
      ip_address: b.ip_address,
      whitelist: out.addresses,
      message: b.action === "add" ? "IP address added to whitelist" : "IP address removed from whitelist",
      expires: expires ?? null,
      requires_reload: out.requires_reload,
      config_version: out.config_version,
      sync: out.sync,
    };
  },
);
