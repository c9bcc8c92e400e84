import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { tokenSettingsOverview } from "#shared/reports/token-settings.ts";
import { TokenSettingsOverviewResponse } from "#shared/reports/views.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/tokens/settings",
  { response: TokenSettingsOverviewResponse },
  (req) => tokenSettingsOverview(req.principal.tenantId),
);
