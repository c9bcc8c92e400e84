/**
 * POST /firewall/blacklist/manage — add or remove an address or network. `duration_hours` makes
 * the entry expire: it carries `expires`, reads drop it after that, and the shadow document carries
 * the expiry so the gateway's nft set element times out on its own.
 */
import { manageList } from "#shared/fleet/firewall.ts";
import { ManageBlacklistBody } from "#shared/fleet/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/blacklist/manage",
  { body: ManageBlacklistBody },
  async (req) => {
    const b = req.body;
    const expires =
      b.action === "add" && b.duration_hours !== undefined
        ? new Date(Date.now() + Math.round(b.duration_hours * 3600_000)).toISOString()
        : undefined;
    const out = await manageList(
      { tenantId: req.principal.tenantId, gatewayId: b.gateway_id, by: req.principal.username },
      "blacklist",
      {
        action: b.action,
        address: b.ip_address,
        description: b.reason,
        expires,
      },
    );
    req.audit({
      resource: "firewall/blacklist",
      details: { action: b.action, ip_address: b.ip_address, reason: b.reason, expires, gateway_id: b.gateway_id },
    });
    return {
      status: "updated",
      action: b.action === "add" ? "added" : "removed",
      ip_address: b.ip_address,
      blacklist: out.addresses,
      message: b.action === "add" ? "IP address added to blacklist" : "IP address removed from blacklist",
      expires: expires ?? null,
      requires_reload: out.requires_reload,
      config_version: out.config_version,
      sync: out.sync,
    };
  },
);
