/**
 * Gateway surface, fleet area: the gateway registry (beyond the spec: registering a gateway makes
 * its IoT thing, certificate and policy), firewall and SSH settings that reach each gateway through
 * its named shadows, and the logs and sessions the gateways report (gateway spec "SSH Access
 * Control", "Firewall & Network Security"). Stack `Routes-fleet`.
 *
 * Access: registering creates the IoT thing and certificate (iotRegistry "register") and writes the
 * new gateway's shadows; deregistering only detaches and deletes them (iotRegistry "deregister")
 * and deletes the shadows; settings changes save a config version and start the fleet-sync
 * workflow (workflows: start) that writes the shadows; reads of sync state only read shadows
 * (iotShadowsRead); resyncing one gateway writes its shadows, resyncing the fleet reads every sync
 * state and starts fleet-sync.
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "gateway", base: "/cloud-integration/security" });
const RO = { table: "RO" } as const;
const RW = { table: "RW" } as const;
/**
 * Settings changes: save the new config version and start the fleet-sync workflow, which writes the
 * affected gateways' shadows (its task functions hold iotShadows; the route does not).
 */
const RW_SHADOWS = { table: "RW", workflows: "start" } as const;

export const fleetRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/gateways",
    handler: "functions/gateway/gateways/list.ts",
    permission: "gateways:read",
    access: { ...RO, iotShadowsRead: true },
  }),
  row({
    method: "POST",
    path: "/gateways",
    handler: "functions/gateway/gateways/create.ts",
    permission: "gateways:admin",
    access: { ...RW, iotRegistry: "register", iotShadows: true },
    audit: { event: "Gateway Registered", eventType: "gateway_registered" },
  }),
  row({
    method: "GET",
    path: "/gateways/{gateway_id}",
    handler: "functions/gateway/gateways/get.ts",
    permission: "gateways:read",
    access: { ...RO, iotShadowsRead: true },
  }),
  row({
    method: "DELETE",
    path: "/gateways/{gateway_id}",
    handler: "functions/gateway/gateways/delete.ts",
    permission: "gateways:admin",
    access: { ...RW, iotRegistry: "deregister", iotShadows: true },
    audit: { event: "Gateway Deregistered", eventType: "gateway_deregistered" },
  }),
  row({
    method: "POST",
    path: "/gateways/resync",
    handler: "functions/gateway/gateways/resync-all.ts",
    permission: "firewall:write",
    access: { ...RW, iotShadows: true, workflows: "start" },
    audit: { event: "Gateways Resynced", eventType: "gateways_resynced" },
  }),
  row({
    method: "POST",
    path: "/gateways/{gateway_id}/resync",
    handler: "functions/gateway/gateways/resync.ts",
    permission: "firewall:write",
    access: { ...RW, iotShadows: true },
    audit: { event: "Gateway Resynced", eventType: "gateway_resynced" },
  }),
  row({
    method: "GET",
    path: "/firewall/status",
    handler: "functions/gateway/firewall/status.ts",
    permission: "firewall:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/firewall/rules",
    handler: "functions/gateway/firewall/rules.ts",
    permission: "firewall:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/firewall/rules/add",
    handler: "functions/gateway/firewall/rules-add.ts",
    permission: "firewall:write",
    access: RW_SHADOWS,
    audit: { event: "Firewall Rule Added", eventType: "firewall_rule_added" },
  }),
  row({
    method: "POST",
    path: "/firewall/rules/remove",
    handler: "functions/gateway/firewall/rules-remove.ts",
    permission: "firewall:write",
    access: RW_SHADOWS,
    audit: { event: "Firewall Rule Removed", eventType: "firewall_rule_removed" },
  }),
  row({
    method: "POST",
    path: "/firewall/rules/update",
    handler: "functions/gateway/firewall/rules-update.ts",
    permission: "firewall:write",
    access: RW_SHADOWS,
    audit: { event: "Firewall Rule Updated", eventType: "firewall_rule_updated" },
  }),
  row({
    method: "POST",
    path: "/firewall/whitelist/manage",
    handler: "functions/gateway/firewall/whitelist-manage.ts",
    permission: "firewall:write",
    access: RW_SHADOWS,
    audit: { event: "Firewall Whitelist Changed", eventType: "firewall_whitelist_changed" },
  }),
  row({
    method: "POST",
    path: "/firewall/blacklist/manage",
    handler: "functions/gateway/firewall/blacklist-manage.ts",
    permission: "firewall:write",
    access: RW_SHADOWS,
    audit: { event: "Firewall Blacklist Changed", eventType: "firewall_blacklist_changed" },
  }),
  row({
    method: "POST",
    path: "/firewall/ports/manage",
    handler: "functions/gateway/firewall/ports-manage.ts",
    permission: "firewall:write",
    access: RW_SHADOWS,
    audit: { event: "Firewall Ports Changed", eventType: "firewall_ports_changed" },
  }),
  row({
    method: "POST",
    path: "/firewall/settings",
    handler: "functions/gateway/firewall/settings.ts",
    permission: "firewall:write",
    access: RW_SHADOWS,
    audit: { event: "Firewall Settings Updated", eventType: "firewall_settings_updated" },
  }),
  row({
    method: "GET",
    path: "/firewall/logs",
    handler: "functions/gateway/firewall/logs.ts",
    permission: "firewall:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/ssh/settings",
    handler: "functions/gateway/ssh/settings.ts",
    permission: "ssh:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/ssh/update",
    handler: "functions/gateway/ssh/update.ts",
    permission: "ssh:write",
    access: RW_SHADOWS,
    audit: { event: "SSH Settings Updated", eventType: "ssh_settings_updated" },
  }),
  row({
    method: "POST",
    path: "/ssh/upload-key",
    handler: "functions/gateway/ssh/upload-key.ts",
    permission: "ssh:write",
    access: RW_SHADOWS,
    audit: { event: "SSH Key Uploaded", eventType: "ssh_key_uploaded" },
    body: "multipart",
  }),
  row({
    method: "GET",
    path: "/ssh/sessions",
    handler: "functions/gateway/ssh/sessions.ts",
    permission: "ssh:read",
    access: RO,
  }),
  row({
    method: "POST",
    path: "/ssh/terminate",
    handler: "functions/gateway/ssh/terminate.ts",
    permission: "ssh:write",
    access: RW_SHADOWS,
    audit: { event: "SSH Session Terminated", eventType: "ssh_session_terminated" },
  }),
  row({
    method: "POST",
    path: "/ssh/remove-key",
    handler: "functions/gateway/ssh/remove-key.ts",
    permission: "ssh:write",
    access: RW_SHADOWS,
    audit: { event: "SSH Key Removed", eventType: "ssh_key_removed" },
  }),
];
