/**
 * POST /firewall/blacklist/manage — add or remove an address or network. `duration_hours` makes
 * the entry expire: it carries `expires`, reads drop it after that, and the shadow document carries
 * the expiry so the gateway's nft set element times out on its own.
 */
import { manageList } from "#shared/fleet/firewall.ts";
import { ManageBlacklistBody } from "#shared/fleet/schemas.ts";
import { addressListView, BlacklistChangedResponse } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/blacklist/manage",
  { body: ManageBlacklistBody, response: BlacklistChangedResponse },
  async (req) => {
    const b = req.body;
    const out = await manageList(
      { tenantId: req.principal.tenantId, gatewayId: b.gateway_id, by: req.principal.username },
      "blacklist",
      { action: b.action, address: b.ip_address, description: b.reason, durationHours: b.duration_hours },
    );
    req.audit({
      resource: "firewall/blacklist",
      details: {
        action: b.action,
        ip_address: b.ip_address,
        reason: b.reason,
        expires: out.expires,
        gateway_id: b.gateway_id,
      },
    });
    return addressListView("blacklist", b, out);
  },
);
