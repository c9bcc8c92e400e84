/** POST /firewall/whitelist/manage — add or remove an address or network; entries may carry an expiry. */
import { manageList } from "#shared/fleet/firewall.ts";
import { ManageWhitelistBody } from "#shared/fleet/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/whitelist/manage",
  { body: ManageWhitelistBody },
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
