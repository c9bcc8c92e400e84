/** POST /firewall/rules/remove — remove a rule; the last default-deny or SSH management rule needs force. */
import { removeRule } from "#shared/fleet/firewall.ts";
import { RemoveRuleBody } from "#shared/fleet/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/rules/remove",
  { body: RemoveRuleBody },
  async (req) => {
    const out = await removeRule(
      { tenantId: req.principal.tenantId, gatewayId: req.body.gateway_id, by: req.principal.username },
      req.body.rule_id,
      req.body.force,
    );
    req.audit({
      resource: `firewall/rule/${out.rule.id}`,
      details: { rule_id: out.rule.id, name: out.rule.name, force: req.body.force, gateway_id: req.body.gateway_id },
    });
    return {
      status: "removed",
      rule_id: out.rule.id,
      rule_name: out.rule.name,
      message: "Firewall rule removed successfully",
      requires_reload: out.requires_reload,
      config_version: out.config_version,
      sync: out.sync,
    };
  },
);
