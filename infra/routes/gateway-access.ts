/**
 * Gateway surface, access area: API keys, token and webhook settings, the security audit log and
 * the security status overview (gateway spec "API Keys & Tokens", "Security Audit Log",
 * "Security Status").
 */
import type { RouteDef } from "#shared/kit/route.ts";

const BASE = "/cloud-integration/security";
const RO = { table: "RO" } as const;
const RW = { table: "RW" } as const;

const row = (r: Omit<RouteDef, "surface" | "rateClass" | "path"> & { path: string }): RouteDef => ({
  surface: "gateway",
  rateClass: "general",
  ...r,
  path: `${BASE}${r.path}`,
});

export const gatewayAccessRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/status",
    handler: "functions/gateway/status/get.ts",
    permission: "security:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/api-keys",
    handler: "functions/gateway/api-keys/list.ts",
    permission: "security:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/api-keys/generate",
    handler: "functions/gateway/api-keys/generate.ts",
    permission: "security:admin",
    access: { ...RW, notify: true },
    audit: { event: "API Key Generated", eventType: "api_key_generated" },
  }),
  row({
    method: "POST",
    path: "/api-keys/revoke",
    handler: "functions/gateway/api-keys/revoke.ts",
    permission: "security:admin",
    access: { ...RW, notify: true },
    audit: { event: "API Key Revoked", eventType: "api_key_revoked" },
  }),
  row({
    method: "POST",
    path: "/api-keys/update",
    handler: "functions/gateway/api-keys/update.ts",
    permission: "security:admin",
    access: RW,
    audit: { event: "API Key Updated", eventType: "api_key_updated" },
  }),
  row({
    method: "GET",
    path: "/tokens/settings",
    handler: "functions/gateway/tokens/settings.ts",
    permission: "security:read",
    access: RO,
  }),
  // Beyond the spec: the only way to set a tenant's access-token lifetime that "Get Token Settings" reports.
  row({
    method: "POST",
    path: "/tokens/settings",
    handler: "functions/gateway/tokens/update-settings.ts",
    permission: "security:admin",
    access: RW,
    audit: { event: "Token Settings Updated", eventType: "token_settings_updated" },
  }),
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
  row({
    method: "GET",
    path: "/audit/logs",
    handler: "functions/gateway/audit/logs.ts",
    permission: "audit:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/audit/export",
    handler: "functions/gateway/audit/export.ts",
    permission: "audit:read",
    // Reads only, but writes its own audit record: who took a copy of the trail is a security event.
    access: RW,
    audit: { event: "Audit Log Exported", eventType: "audit_exported" },
  }),
  row({
    method: "GET",
    path: "/audit/stats",
    handler: "functions/gateway/audit/stats.ts",
    permission: "audit:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/audit/clear",
    handler: "functions/gateway/audit/clear.ts",
    permission: "audit:admin",
    access: RW,
    audit: { event: "Audit Log Cleared", eventType: "audit_cleared" },
  }),
];
