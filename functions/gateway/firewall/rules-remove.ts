/** POST /firewall/rules/remove — remove a rule; the last default-deny or SSH management rule needs force. */
import { removeRule } from "#shared/fleet/firewall.ts";
import { RemoveRuleBody } from "#shared/fleet/schemas.ts";
import { RuleRemovedResponse, ruleRemovedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/rules/remove",
  { body: RemoveRuleBody, response: RuleRemovedResponse },
  async (req) => {
    const b = req.body;
    const out = await removeRule(
      { tenantId: req.principal.tenantId, gatewayId: b.gateway_id, by: req.principal.username },
      b.rule_id,
      b.force,
    );
    req.audit({
      resource: `firewall/rule/${out.rule.id}`,
      details: { rule_id: out.rule.id, name: out.rule.name, force: b.force, gateway_id: b.gateway_id },
    });
    return ruleRemovedView(out);
  },
);
