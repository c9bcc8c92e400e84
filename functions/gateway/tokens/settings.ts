import { permissionMapping, rateLimitingView, tokenSettingsView } from "#shared/identity/token-settings.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { getSettingsMany } from "#shared/tenancy/db/tenant-settings.ts";
import { webhookView } from "#shared/webhooks/views.ts";

export const endpoint = defineEndpoint("GET /cloud-integration/security/tokens/settings", {}, async (req) => {
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
