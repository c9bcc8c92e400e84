/**
 * "Get Token Settings" (gateway spec): token lifetimes and algorithm (identity), the role →
 * permission mapping (identity), the webhook (webhooks) and the rate-limit policy (tenancy), with
 * both settings documents read in one BatchGetItem.
 */

import { tokenSettings } from "#shared/identity/db/token-settings.ts";
import { effectiveTokenSettings, permissionMapping, TOKEN_RATE_LIMIT } from "#shared/identity/token-settings.ts";
import { rateLimitingView, tokenSettingsView } from "#shared/identity/views.ts";
import { getSettingsDocuments } from "#shared/table/settings-doc.ts";
import { webhookSettings } from "#shared/webhooks/db/webhook-settings.ts";
import { webhookView } from "#shared/webhooks/views.ts";

export async function tokenSettingsOverview(tenantId: string) {
  const [[tokens, webhook], mapping] = await Promise.all([
    getSettingsDocuments(tenantId, [tokenSettings, webhookSettings] as const),
    permissionMapping(tenantId),
  ]);
  return {
    token_settings: tokenSettingsView(effectiveTokenSettings(tokens)),
    permission_mapping: mapping,
    webhook: webhookView(webhook),
    rate_limiting: rateLimitingView(TOKEN_RATE_LIMIT),
  };
}
