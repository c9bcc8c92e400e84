/**
 * Gateway surface, settings area: Save All Security Settings (gateway spec), which saves sections
 * of the authentication, firewall, SSH and audit settings through their own domains.
 *
 * Access: settings items in the table (RW), the firewall and ssh shadows of the tenant's gateways
 * (iotShadows), and the users an authentication change affects are notified (notify).
 */
import type { RouteDef } from "#shared/kit/route.ts";

const BASE = "/cloud-integration/security";

export const gatewaySettingsRoutes: RouteDef[] = [
  {
    method: "POST",
    path: `${BASE}/settings/save-all`,
    handler: "functions/gateway/settings/save-all.ts",
    permission: "security:admin",
    surface: "gateway",
    rateClass: "general",
    access: { table: "RW", iotShadows: true, notify: true },
    audit: { event: "Security Settings Saved", eventType: "settings_saved" },
  },
];
