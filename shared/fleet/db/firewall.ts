/**
 * The firewall area's stored documents (see fleet-config.ts for the versioned scopes they live
 * in): rules, IP whitelist and blacklist (entries may expire), blocked ports, and settings. The
 * tenant-wide document carries full settings; a gateway's override document carries only the
 * settings it overrides. Parsed with zod on every read. The schemas here describe what is stored,
 * nothing more: what a request may ask for (CIDRs, port ranges, interface names…) is checked by the
 * request schemas (schemas.ts) before anything reaches a document. Field names are the shadow
 * contract's (edge/contract.ts), snake_case, since these documents are what the shadows carry.
 *
 * Access patterns: a scope's document is read and written with the scope (fleet-config.ts); rule
 * ids come from the tenant's firewall rule sequence (sequences.ts).
 */
import * as z from "zod/mini";

/** What the edge contract renders (ICMP covers ICMPv6 for IPv6 rules). */
export const PROTOCOLS = ["TCP", "UDP", "ICMP", "ALL"] as const;
export const CHAINS = ["INPUT", "OUTPUT", "FORWARD"] as const;
export const ACTIONS = ["ACCEPT", "DROP", "REJECT"] as const;

export const FirewallRule = z.object({
  id: z.number(),
  name: z.string(),
  description: z._default(z.string(), ""),
  chain: z.enum(CHAINS),
  port: z.optional(z.string()),
  protocol: z.enum(PROTOCOLS),
  source: z._default(z.string(), "0.0.0.0/0"),
  destination: z._default(z.string(), "0.0.0.0/0"),
  action: z.enum(ACTIONS),
  enabled: z.boolean(),
  priority: z.number(),
  interface: z.optional(z.string()),
  log_matches: z._default(z.boolean(), false),
  log_prefix: z.optional(z.string()),
  created: z.string(),
  updated: z.optional(z.string()),
});
export type FirewallRule = z.infer<typeof FirewallRule>;

export const AddressEntry = z.object({
  address: z.string(),
  description: z._default(z.string(), ""),
  /** ISO time after which the entry no longer applies (reads and shadow documents drop it). */
  expires: z.optional(z.string()),
  added: z.string(),
  added_by: z._default(z.string(), ""),
});
export type AddressEntry = z.infer<typeof AddressEntry>;

export const PORT_PROTOCOLS = ["TCP", "UDP", "ALL"] as const;

export const BlockedPort = z.object({
  port: z.number(),
  protocol: z.enum(PORT_PROTOCOLS),
  reason: z._default(z.string(), ""),
  added: z.string(),
});
export type BlockedPort = z.infer<typeof BlockedPort>;

export const DEFAULT_POLICIES = ["ACCEPT", "DROP"] as const;
export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical"] as const;

export const FirewallSettings = z.object({
  enabled: z.boolean(),
  default_policy: z.enum(DEFAULT_POLICIES),
  rate_limiting: z.object({ enabled: z.boolean(), requests_per_second: z.number(), burst_size: z.number() }),
  dos_protection: z.boolean(),
  syn_flood_protection: z.boolean(),
  syn_flood_rate: z.number(),
  port_scan_detection: z.boolean(),
  port_scan_threshold: z.number(),
  vpn_enabled: z.boolean(),
  vpn_port: z.number(),
  geo_blocking: z.boolean(),
  log_level: z.enum(LOG_LEVELS),
});
export type FirewallSettings = z.infer<typeof FirewallSettings>;

/** A scope's settings: the tenant document has all of them, an override only what it changes. */
export const FirewallSettingsPatch = z.partial(
  z.extend(FirewallSettings, { rate_limiting: z.partial(FirewallSettings.shape.rate_limiting) }),
);
export type FirewallSettingsPatch = z.infer<typeof FirewallSettingsPatch>;

/** Defaults are the values the gateway spec's examples show before any change. */
export const DEFAULT_FIREWALL_SETTINGS: FirewallSettings = {
  enabled: true,
  default_policy: "ACCEPT",
  rate_limiting: { enabled: true, requests_per_second: 20, burst_size: 40 },
  dos_protection: true,
  syn_flood_protection: true,
  syn_flood_rate: 25,
  port_scan_detection: true,
  port_scan_threshold: 10,
  vpn_enabled: false,
  vpn_port: 1194,
  geo_blocking: false,
  log_level: "info",
};

export const FirewallScopeDoc = z.object({
  rules: z._default(z.array(FirewallRule), []),
  whitelist: z._default(z.array(AddressEntry), []),
  blacklist: z._default(z.array(AddressEntry), []),
  blocked_ports: z._default(z.array(BlockedPort), []),
  settings: z._default(FirewallSettingsPatch, {}),
});
export type FirewallScopeDoc = z.infer<typeof FirewallScopeDoc>;

export function parseFirewallDoc(doc: unknown): FirewallScopeDoc {
  return FirewallScopeDoc.parse(doc ?? {});
}
