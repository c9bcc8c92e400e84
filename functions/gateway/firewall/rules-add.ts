/** POST /firewall/rules/add — a new rule, tenant-wide or as one gateway's override; 201. */
import * as z from "zod/mini";
import { addRule } from "#shared/fleet/firewall.ts";
import { gatewayIdField, schemas, text } from "#shared/fleet/net-validation.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  name: text(64).check(z.minLength(1)),
  description: z.optional(text(256)),
  chain: schemas.chain,
  port: z.optional(schemas.portSpec),
  protocol: schemas.protocol,
  source: z.optional(schemas.cidr),
  destination: z.optional(schemas.cidr),
  action: schemas.action,
  enabled: z.optional(z.boolean()),
  priority: z.optional(schemas.priority),
  interface: z.optional(schemas.interfaceName),
  log_matches: z.optional(z.boolean()),
  log_prefix: z.optional(schemas.logPrefix),
  gateway_id: gatewayIdField.body,
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/firewall/rules/add", { body }, async (req) => {
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
  return {
    status: "added",
    rule_id: out.rule.id,
    rule: out.rule,
    message: "Firewall rule added successfully",
    requires_reload: out.requires_reload,
    config_version: out.config_version,
    sync: out.sync,
  };
});
