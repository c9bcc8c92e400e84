import { getSettingsMany } from "#shared/db/tenant-settings.ts";
import { permissionMapping, rateLimitingView, tokenSettingsView } from "#shared/domain/token-settings.ts";
import { webhookView } from "#shared/domain/webhooks.ts";
import { endpoint } from "#shared/http/endpoint.ts";

export const handler = endpoint("GET /cloud-integration/security/tokens/settings", {}, async (req) => {
  const tenantId = req.principal.tenantId;
  const [[tokens, webhook], mapping] = await Promise.all([
    getSettingsMany(tenantId, ["tokens", "webhook"]),
    permissionMapping(tenantId),
  ]);
  return {
    token_settings: tokenSettingsView(tokens),
    permission_mapping: mapping,
    webhook: webhookView(webhook),
    rate_limiting: rateLimitingView(),
  };
});
