/** POST /firewall/rules/update — change fields of a rule; answers each change as {old, new}. */
import { updateRule } from "#shared/fleet/firewall.ts";
import { UpdateRuleBody } from "#shared/fleet/schemas.ts";
import { RuleUpdatedResponse, ruleUpdatedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/rules/update",
  { body: UpdateRuleBody, response: RuleUpdatedResponse },
  async (req) => {
    const { rule_id, gateway_id, ...patch } = req.body;
    const out = await updateRule(
      { tenantId: req.principal.tenantId, gatewayId: gateway_id, by: req.principal.username },
      rule_id,
      patch,
    );
    req.audit({ resource: `firewall/rule/${rule_id}`, details: { rule_id, changes: out.changes, gateway_id } });
    return ruleUpdatedView(out);
  },
);
