/**
 * The fleet's response views: what its routes answer, in the gateway spec's wire shape (snake_case).
 *
 * Two vocabularies meet here, on purpose:
 * - The firewall and SSH settings documents ARE the shadow contract (edge/contract.ts): rules,
 *   whitelist and blacklist entries, blocked ports, settings, SSH keys and termination requests are
 *   stored, merged and sent to the gateways in the contract's own snake_case, and pass through
 *   here as they are. The receipts of settings changes (`changes`, `restart_required`,
 *   `requires_reload`, `config_version`, `sync`) are written in the same vocabulary by
 *   firewall.ts and ssh.ts (tenancy's save-all reads them so).
 * - The fleet's own entities — gateway records, shadow sync state, what the gateways report
 *   (firewall log lines, SSH sessions, counters) — are camelCase in the domain and converted here.
 *
 * Nothing here reads or decides: a view only renames, formats ("HH:MM:SS", null for absent) and
 * adds the fixed words of an answer (`status`, `message`).
 */
import type { FirewallRule } from "#shared/fleet/db/firewall.ts";
import type { Gateway } from "#shared/fleet/db/gateways.ts";
import type { StoredSshKey } from "#shared/fleet/db/ssh.ts";
import type { ProvisionedDevice } from "#shared/iot/registry.ts";
import type { FirewallStatus, ListName, RuleListing } from "./firewall.ts";
import type { FirewallLogs } from "./firewall-log.ts";
import type { GatewayStatus } from "./gateway-status.ts";
import type { PushReport, SyncState } from "./shadow-sync.ts";
import type { SshSettingsReport, TerminatedSshSession } from "./ssh.ts";
import type { SshSession, SshSessionListing } from "./ssh-sessions.ts";

/** "HH:MM:SS" (hours may exceed 24). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}

// ---------------------------------------------------------------------------------------------
// Gateways

export const syncStateView = (s: SyncState) => ({
  desired_version: s.desiredVersion,
  reported_version: s.reportedVersion,
  reported_at: s.reportedAt,
  status: s.status,
  error: s.error,
});

export const gatewayView = (s: GatewayStatus) => ({
  id: s.gateway.id,
  name: s.gateway.name,
  description: s.gateway.description,
  location: s.gateway.location,
  thing_name: s.gateway.thingName,
  certificate_id: s.gateway.certificateId,
  created: s.gateway.createdAt,
  created_by: s.gateway.createdBy,
  last_seen: s.gateway.lastSeen ?? null,
  status: s.online ? "online" : "offline",
  metrics: s.gateway.lastMetrics ?? null,
  sync: Object.fromEntries(Object.entries(s.sync).map(([name, state]) => [name, syncStateView(state)])),
});

export type GatewayView = ReturnType<typeof gatewayView>;

export const fleetView = (gateways: GatewayStatus[]) => ({
  gateways: gateways.map(gatewayView),
  total: gateways.length,
});

/** Where and how a newly registered gateway connects. */
export interface DeviceConnection {
  endpoint: string;
  clientId: string;
  thingName: string;
  eventsTopic: string;
  shadows: { name: string; topics: unknown }[];
}

/**
 * What registering a gateway hands over, once: the gateway, its certificate and private key, and
 * where it connects. Local mode and the bench read it as the route answers it.
 */
export const registrationReceipt = (r: {
  status: GatewayStatus;
  device: ProvisionedDevice;
  connection: DeviceConnection;
  initialSync: { firewall: PushReport; ssh: PushReport };
}) => ({
  gateway: gatewayView(r.status),
  credentials: {
    certificate_id: r.device.certificateId,
    certificate_pem: r.device.certificatePem,
    private_key: r.device.privateKey,
  },
  connection: {
    endpoint: r.connection.endpoint,
    client_id: r.connection.clientId,
    thing_name: r.connection.thingName,
    events_topic: r.connection.eventsTopic,
    shadows: r.connection.shadows,
  },
  initial_sync: r.initialSync,
});

export type RegistrationReceipt = ReturnType<typeof registrationReceipt>;

export const registeredView = (r: RegistrationReceipt) => ({
  status: "registered",
  gateway: r.gateway,
  certificate: r.credentials,
  connection: r.connection,
  initial_sync: r.initial_sync,
  message: "Gateway registered. Store the private key now: it is shown once and never again.",
});

export const deregisteredView = (g: Gateway) => ({
  status: "deleted",
  gateway_id: g.id,
  name: g.name,
  thing_name: g.thingName,
  message: "Gateway deregistered: certificate detached, revoked and deleted; thing and shadows removed",
});

// ---------------------------------------------------------------------------------------------
// Settings changes (firewall and SSH)

/** The part every settings change answers: is a reload due, the new config version, which gateways took it. */
interface Receipt {
  requires_reload: boolean;
  config_version: number;
  sync: PushReport;
}

const receipt = (r: Receipt) => ({
  requires_reload: r.requires_reload,
  config_version: r.config_version,
  sync: r.sync,
});

type Changes = Record<string, { old: unknown; new: unknown }>;

/** POST /firewall/settings and POST /ssh/update. */
export const settingsUpdatedView = (
  what: "Firewall" | "SSH",
  r: Receipt & { changes: Changes; restart_required: boolean },
) => ({
  status: "updated",
  message: Object.keys(r.changes).length ? `${what} settings updated successfully` : `${what} settings unchanged`,
  restart_required: r.restart_required,
  changes: r.changes,
  ...receipt(r),
});

// ---------------------------------------------------------------------------------------------
// Firewall

export const ruleAddedView = (r: Receipt & { rule: FirewallRule }) => ({
  status: "added",
  rule_id: r.rule.id,
  rule: r.rule,
  message: "Firewall rule added successfully",
  ...receipt(r),
});

export const ruleRemovedView = (r: Receipt & { rule: FirewallRule }) => ({
  status: "removed",
  rule_id: r.rule.id,
  rule_name: r.rule.name,
  message: "Firewall rule removed successfully",
  ...receipt(r),
});

export const ruleUpdatedView = (r: Receipt & { rule: FirewallRule; changes: Changes }) => ({
  status: "updated",
  rule_id: r.rule.id,
  rule_name: r.rule.name,
  message: Object.keys(r.changes).length ? "Firewall rule updated successfully" : "Firewall rule unchanged",
  changes: r.changes,
  ...receipt(r),
});

/** POST /firewall/whitelist/manage and /firewall/blacklist/manage. */
export const addressListView = (
  list: ListName,
  input: { action: "add" | "remove"; ip_address: string },
  r: Receipt & { addresses: string[]; expires: string | undefined },
) => ({
  status: "updated",
  action: input.action === "add" ? "added" : "removed",
  ip_address: input.ip_address,
  [list]: r.addresses,
  message: input.action === "add" ? `IP address added to ${list}` : `IP address removed from ${list}`,
  expires: r.expires ?? null,
  ...receipt(r),
});

export const portView = (
  input: { action: "block" | "unblock"; port: number; protocol: string },
  r: Receipt & { blocked_ports: number[] },
) => ({
  status: "updated",
  action: input.action === "block" ? "blocked" : "unblocked",
  port: input.port,
  protocol: input.protocol,
  blocked_ports: r.blocked_ports,
  message: input.action === "block" ? "Port blocked successfully" : "Port unblocked successfully",
  ...receipt(r),
});

export const firewallStatusView = (st: FirewallStatus) => {
  const f = st.effective;
  const s = f.settings;
  return {
    enabled: s.enabled,
    rules_count: f.rules.length,
    ip_whitelist: f.whitelist.map((e) => e.address),
    ip_blacklist: f.blacklist.map((e) => e.address),
    blocked_ports: st.blockedPorts,
    allowed_ports: st.allowedPorts,
    security_features: {
      rate_limiting: { ...s.rate_limiting },
      dos_protection: s.dos_protection,
      syn_flood_protection: s.syn_flood_protection,
      port_scan_detection: s.port_scan_detection,
      vpn_enabled: s.vpn_enabled,
      geo_blocking: s.geo_blocking,
    },
    statistics: {
      packets_blocked_today: st.stats.packetsBlocked,
      packets_allowed_today: st.stats.packetsAllowed,
      unique_ips_blocked: st.stats.uniqueIpsBlocked,
      dos_attacks_blocked: st.stats.dosAttacksBlocked,
      port_scans_blocked: st.stats.portScansBlocked,
    },
    /** Settings switched on here that the gateways do not enforce (spec fields above stay as stored). */
    not_enforced_on_gateway: st.notEnforced,
    last_updated: st.lastUpdated,
    default_policy: s.default_policy,
    config_version: st.configVersion,
    blacklist_entries: f.blacklist.map((e) => ({
      ip_address: e.address,
      reason: e.description,
      expires: e.expires ?? null,
      added: e.added,
    })),
    whitelist_entries: f.whitelist.map((e) => ({
      ip_address: e.address,
      description: e.description,
      expires: e.expires ?? null,
      added: e.added,
    })),
  };
};

export const rulesView = (l: RuleListing) => ({
  rules: l.rules.map((r) => ({
    ...r.rule,
    hit_count: r.hits?.count ?? 0,
    last_hit: r.hits?.last ?? null,
    scope: r.scope,
  })),
  chains: l.chains,
  actions: l.actions,
  total: l.total,
});

export const firewallLogsView = (l: FirewallLogs) => ({
  logs: l.lines.map((line) => ({
    timestamp: line.timestamp,
    action: line.action,
    protocol: line.protocol,
    source_ip: line.sourceIp,
    source_port: line.sourcePort ?? null,
    destination_ip: line.destinationIp,
    destination_port: line.destinationPort ?? null,
    interface: line.interface ?? null,
    rule_name: line.ruleName ?? null,
    bytes: line.bytes ?? null,
    ...(line.reason ? { reason: line.reason } : {}),
    gateway_id: line.gatewayId,
  })),
  total: l.total,
  filtered: l.filtered,
  statistics: {
    dropped: l.statistics.dropped,
    accepted: l.statistics.accepted,
    rejected: l.statistics.rejected,
    top_source_ips: l.statistics.topSourceIps,
    top_blocked_ports: l.statistics.topBlockedPorts,
  },
});

// ---------------------------------------------------------------------------------------------
// SSH

export const sshSettingsView = (r: SshSettingsReport) => {
  const { keys, stats, configVersion, ...settings } = r;
  return {
    ...settings,
    public_key_uploaded: keys.length > 0,
    public_keys: keys.map((k) => ({
      fingerprint: k.fingerprint,
      type: k.type,
      size: k.size,
      comment: k.comment,
      added: k.added,
      username: k.username,
    })),
    last_connection: stats.lastConnection,
    connections_today: stats.connectionsToday,
    failed_attempts_today: stats.failedToday,
    config_version: configVersion,
  };
};

export const sshKeyUploadedView = (r: Omit<Receipt, "requires_reload"> & { key: StoredSshKey }) => ({
  status: "uploaded",
  fingerprint: r.key.fingerprint,
  key_type: r.key.type,
  key_size: r.key.size,
  comment: r.key.comment,
  username: r.key.username,
  added: r.key.added,
  message: "SSH public key uploaded successfully",
  config_version: r.config_version,
  sync: r.sync,
});

export const sshKeyRemovedView = (r: Omit<Receipt, "requires_reload"> & { key: StoredSshKey }) => ({
  status: "removed",
  fingerprint: r.key.fingerprint,
  username: r.key.username,
  message: "SSH public key removed successfully",
  config_version: r.config_version,
  sync: r.sync,
});

const terminationRequestedView = (s: SshSession) =>
  s.terminationRequested
    ? {
        termination_requested: {
          reason: s.terminationRequested.reason,
          requested_at: s.terminationRequested.requestedAt,
          requested_by: s.terminationRequested.requestedBy,
          notify_user: s.terminationRequested.notifyUser,
        },
      }
    : {};

export const sshSessionsView = (l: SshSessionListing) => ({
  active_sessions: l.active.map(({ sshSession: s, durationMs, idleMs }) => ({
    session_id: s.id,
    username: s.username,
    client_ip: s.clientIp,
    client_hostname: s.clientHostname ?? null,
    started: s.started,
    duration: formatDuration(durationMs),
    command_count: s.commandCount,
    last_command: s.lastCommand ?? null,
    last_command_time: s.lastCommandTime ?? null,
    tty: s.tty ?? null,
    process_id: s.processId ?? null,
    idle_time: formatDuration(idleMs),
    gateway_id: s.gatewayId,
    ...terminationRequestedView(s),
  })),
  recent_sessions: l.endedToday.map(({ sshSession: s, durationMs }) => ({
    session_id: s.id,
    username: s.username,
    client_ip: s.clientIp,
    started: s.started,
    ended: s.ended ?? null,
    duration: formatDuration(durationMs),
    command_count: s.commandCount,
    termination_reason: s.terminationReason ?? null,
    gateway_id: s.gatewayId,
  })),
  total_sessions_today: l.totalToday,
  unique_users_today: l.uniqueUsersToday,
  unique_ips_today: l.uniqueIpsToday,
});

export const sshSessionTerminatedView = (t: TerminatedSshSession) => ({
  status: "terminated",
  session_id: t.sshSession.id,
  username: t.sshSession.username,
  message: "SSH session terminated successfully",
  user_notified: t.requested.notify_user,
  session_duration: formatDuration(t.durationMs),
  gateway_id: t.sshSession.gatewayId,
  config_version: t.configVersion,
});
