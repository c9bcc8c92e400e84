/** POST /firewall/settings — change settings; answers the changes and whether a restart is needed. */
import * as z from "zod/mini";
import { DEFAULT_POLICIES, LOG_LEVELS } from "#shared/db/firewall.ts";
import { updateSettings } from "#shared/domain/firewall.ts";
import { gatewayIdField, schemas } from "#shared/domain/net-validation.ts";
import { endpoint } from "#shared/http/endpoint.ts";

const count = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
const upper = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((v) => v.toUpperCase()),
    ),
    z.enum(values, { error: () => `${what} must be one of ${values.join(", ")}` }),
  );

const body = z.strictObject({
  enabled: z.optional(z.boolean()),
  default_policy: z.optional(upper(DEFAULT_POLICIES, "default_policy")),
  rate_limiting: z.optional(
    z.strictObject({
      enabled: z.optional(z.boolean()),
      requests_per_second: z.optional(count(1, 100_000)),
      burst_size: z.optional(count(1, 1_000_000)),
    }),
  ),
  dos_protection: z.optional(z.boolean()),
  syn_flood_protection: z.optional(z.boolean()),
  syn_flood_rate: z.optional(count(1, 100_000)),
  port_scan_detection: z.optional(z.boolean()),
  port_scan_threshold: z.optional(count(1, 1000)),
  vpn_enabled: z.optional(z.boolean()),
  vpn_port: z.optional(schemas.port),
  geo_blocking: z.optional(z.boolean()),
  log_level: z.optional(z.enum(LOG_LEVELS)),
  gateway_id: gatewayIdField.body,
});

export const handler = endpoint("POST /cloud-integration/security/firewall/settings", { body }, async (req) => {
  const { gateway_id, ...patch } = req.body;
  const out = await updateSettings(
    { tenantId: req.principal.tenantId, gatewayId: gateway_id, by: req.principal.username },
    patch,
  );
  req.audit({ resource: "firewall/settings", details: { changes: out.changes, gateway_id } });
  return {
    status: "updated",
    message: Object.keys(out.changes).length ? "Firewall settings updated successfully" : "Firewall settings unchanged",
    restart_required: out.restart_required,
    changes: out.changes,
    requires_reload: out.requires_reload,
    config_version: out.config_version,
    sync: out.sync,
  };
});
