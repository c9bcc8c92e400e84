import * as z from "zod/mini";
import { MIN_TOKEN_TTL_SECONDS, tokenSettingsView, updateTokenSettings } from "#shared/identity/token-settings.ts";
import { config } from "#shared/kit/config.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  /** Shorter than the platform's lifetime only; null returns to the platform's. */
  access_token_ttl_seconds: z.nullable(
    z.int().check(z.gte(MIN_TOKEN_TTL_SECONDS), z.lte(config.WARDEN_TOKEN_TTL_SECONDS)),
  ),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/tokens/settings", { body }, async (req) => {
  const tenantId = req.principal.tenantId;
  const { settings, changes } = await updateTokenSettings(tenantId, {
    accessTokenTtlSeconds: req.body.access_token_ttl_seconds,
  });
  req.audit({ resource: "tokens/settings", details: { changes } });
  return {
    status: "updated",
    token_settings: tokenSettingsView(settings),
    changes,
  };
});
