/**
 * The zod schemas of the reports' answers (the views are the reports themselves): endpoints
 * declare them, the OpenAPI document is generated from them, and the tests check answers against them.
 */
import * as z from "zod/mini";
import { TokenRateLimitingSchema, TokenSettingsSchema } from "#shared/identity/views.ts";
import { responseSchema } from "#shared/kit/text.ts";
import { WebhookSchema } from "#shared/webhooks/views.ts";

const count = /* @__PURE__ */ responseSchema(() => z.number().check(z.int(), z.gte(0)));
const health = /* @__PURE__ */ responseSchema(() => z.enum(["good", "warning", "critical", "unknown"]));
const notConfigured = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({ status: z.literal("not_configured"), health: z.literal("unknown") }),
);

/** GET /status (security-status.ts `securityStatus`). */
export const SecurityStatusResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    security_level: z.enum(["secure", "warning", "critical"]),
    security_score: z.number().check(z.int(), z.gte(0), z.lte(100)),
    last_scan: z.null().check(z.describe("Gateway configuration scans do not exist yet")),
    issues_found: count,
    recommendations: z.array(z.string()),
    components: z.strictObject({
      authentication: z.strictObject({
        status: z.literal("enabled"),
        health,
        issues: count,
        users_total: count,
        users_locked: count,
        two_factor_mode: z.string(),
        two_factor_coverage: z.number().check(z.gte(0), z.lte(100), z.describe("Percent of active users with 2FA")),
        api_keys_active: count,
      }),
      firewall: z.union([
        z.strictObject({ status: z.enum(["active", "disabled"]), health, rules_active: count }),
        notConfigured,
      ]),
      ssh: z.union([
        z.strictObject({
          status: z.enum(["enabled", "restricted", "disabled"]).check(z.describe("restricted: key-only login")),
          health,
          active_sessions: count,
        }),
        notConfigured,
      ]),
      certificates: notConfigured.check(z.describe("Certificate management is not built yet")),
      audit: z.strictObject({ status: z.literal("enabled"), health, events_24h: count }),
    }),
  }),
);

/** GET /tokens/settings (token-settings.ts `tokenSettingsOverview`). */
export const TokenSettingsOverviewResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    token_settings: TokenSettingsSchema,
    permission_mapping: z
      .record(z.string(), z.array(z.string()))
      .check(z.describe("Role (built-in and custom) → the permissions it grants")),
    webhook: WebhookSchema,
    rate_limiting: TokenRateLimitingSchema,
  }),
);
