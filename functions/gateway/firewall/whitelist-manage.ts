/** POST /firewall/whitelist/manage — add or remove an address or network; entries may carry an expiry. */
import { manageList } from "#shared/fleet/firewall.ts";
import { ManageWhitelistBody } from "#shared/fleet/schemas.ts";
import { addressListView, WhitelistChangedResponse } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/whitelist/manage",
  { body: ManageWhitelistBody, response: WhitelistChangedResponse },
  async (req) => {
    const b = req.body;
    const out = await manageList(
      { tenantId: req.principal.tenantId, gatewayId: b.gateway_id, by: req.principal.username },
      "whitelist",
      { action: b.action, address: b.ip_address, description: b.description, expires: b.expires },
    );
    req.audit({
      resource: "firewall/whitelist",
      details: { action: b.action, ip_address: b.ip_address, expires: out.expires, gateway_id: b.gateway_id },
    });
    return addressListView("whitelist", b, out);
  },
);
