/**
 * Gateway surface, webhooks area: the tenant's outgoing webhook and its signing secret (gateway
 * spec "API Keys & Tokens"). Stack `Routes-webhooks`.
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "gateway", base: "/cloud-integration/security" });
const RW = { table: "RW" } as const;

export const webhookRoutes: RouteDef[] = [
  // Beyond the spec: the only way to configure the webhook that "Get Token Settings" reports.
  row({
    method: "POST",
    path: "/tokens/webhook",
    handler: "functions/gateway/tokens/webhook.ts",
    permission: "security:admin",
    access: { ...RW, dataKey: "encrypt" },
    audit: { event: "Webhook Updated", eventType: "webhook_updated" },
  }),
  row({
    method: "POST",
    path: "/tokens/regenerate-secret",
    handler: "functions/gateway/tokens/regenerate-secret.ts",
    permission: "security:admin",
    // Encrypts the new secret; decrypts the old one to co-sign the rotation notice.
    access: { ...RW, dataKey: "both" },
    audit: { event: "Webhook Secret Regenerated", eventType: "webhook_secret_regenerated" },
  }),
];
