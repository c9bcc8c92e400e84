/** POST /firewall/rules/update — change fields of a rule; answers each change as {old, new}. */
import * as z from "zod/mini";
import { updateRule } from "#shared/fleet/firewall.ts";
import { gatewayIdField, schemas, text } from "#shared/fleet/net-validation.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  rule_id: z.number().check(z.int(), z.positive()),
  name: z.optional(text(64).check(z.minLength(1))),
  description: z.optional(text(256)),
  chain: z.optional(schemas.chain),
  /** null removes the port match. */
  port: z.optional(z.nullable(schemas.portSpec)),
  protocol: z.optional(schemas.protocol),
  source: z.optional(schemas.cidr),
  destination: z.optional(schemas.cidr),
  action: z.optional(schemas.action),
  enabled: z.optional(z.boolean()),
  priority: z.optional(schemas.priority),
  interface: z.optional(z.nullable(schemas.interfaceName)),
  log_matches: z.optional(z.boolean()),
  log_prefix: z.optional(z.nullable(schemas.logPrefix)),
  gateway_id: gatewayIdField.body,
});

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/firewall/rules/update",
  { body },
  async (req) => {
    const { rule_id, gateway_id, ...patch } = req.body;
    const out = await updateRule(
      { tenantId: req.principal.tenantId, gatewayId: gateway_id, by: req.principal.username },
      rule_id,
      patch,
    );
    req.audit({ resource: `firewall/rule/${rule_id}`, details: { rule_id, changes: out.changes, gateway_id } });
    return {
      status: "updated",
      rule_id,
      rule_name: out.rule.name,
      message: Object.keys(out.changes).length ? "Firewall rule updated successfully" : "Firewall rule unchanged",
      changes: out.changes,
      requires_reload: out.requires_reload,
      config_version: out.config_version,
      sync: out.sync,
    };
  },
);
