/** POST /firewall/rules/add — a new rule, tenant-wide or as one gateway's override; 201. */
import { addRule } from "#shared/fleet/firewall.ts";
import { AddRuleBody } from "#shared/fleet/schemas.ts";
import { RuleAddedResponse, ruleAddedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/rules/add",
  { body: AddRuleBody, response: RuleAddedResponse },
  async (req) => {
    const { gateway_id, ...input } = req.body;
    const out = await addRule(
      { tenantId: req.principal.tenantId, gatewayId: gateway_id, by: req.principal.username },
      input,
    );
    req.status(201);
    req.audit({
      resource: `firewall/rule/${out.rule.id}`,
      details: { rule_id: out.rule.id, name: out.rule.name, gateway_id, config_version: out.config_version },
    });
    return ruleAddedView(out);
  },
);
