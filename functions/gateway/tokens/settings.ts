import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { tokenSettingsOverview } from "#shared/reports/token-settings.ts";

export const endpoint = defineEndpoint("GET /cloud-integration/security/tokens/settings", {}, (req) =>
  tokenSettingsOverview(req.principal.tenantId),
);
