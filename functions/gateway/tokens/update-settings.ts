import { tokenSettingsBody } from "#shared/identity/schemas.ts";
import { updateTokenSettings } from "#shared/identity/token-settings.ts";
import { TokenSettingsUpdatedResponse, tokenSettingsUpdatedView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/tokens/settings",
  { body: tokenSettingsBody, response: TokenSettingsUpdatedResponse },
  async (req) => {
    const result = await updateTokenSettings(req.principal.tenantId, {
      accessTokenTtlSeconds: req.body.access_token_ttl_seconds,
    });
    req.audit({ resource: "tokens/settings", details: { changes: result.changes } });
    return tokenSettingsUpdatedView(result);
  },
);
