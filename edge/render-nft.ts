/**
 * Renders the desired firewall as one nftables file that replaces Warden's table atomically
 * (`nft -f` runs the file as one transaction: create-if-missing, delete, define).
 *
 * Order in the input chain, first match wins: blacklist → established traffic → loopback →
 * whitelist → port scanners caught earlier → port-scan flag patterns → port-scan detection (new
 * connections to distinct ports per source) → SYN flood → DoS (concurrent connections per source)
 * → blocked ports → per-source rate limit for new connections → VPN port → the rules by priority
 * (lower first) → the default policy. Output always accepts unless a rule says otherwise, so a DROP
 * default can never cut the gateway off from its control plane.
 *
 * Whitelist and blacklist entries with an expiry become set elements with a `timeout`, so the
 * kernel removes them on time; entries already expired are left out.
 *
 * Every logging rule gets a prefix; the returned map tells the log parser which rule a kernel log
 * line came from.
 */
import type { AddressListEntry, FirewallDesired, FirewallRule } from "./contract.ts";

export const NFT_TABLE = "warden";

export interface LogPrefixInfo {
  rule_id: number | null;
  rule_name: string | null;
  action: "ACCEPT" | "DROP" | "REJECT" | "LOG";
  /** `{port}` is replaced with the packet's destination port. */
  reason: string | null;
}
export type LogPrefixMap = Record<string, LogPrefixInfo>;

export interface RenderedRuleset {
  text: string;
  logPrefixes: LogPrefixMap;
}

export const BUILTIN_PREFIXES = {
  blacklist: "WARDEN-BLACKLIST ",
  portScan: "WARDEN-PORTSCAN ",
  dos: "WARDEN-DOS ",
  synFlood: "WARDEN-SYNFLOOD ",
  blockedPort: "WARDEN-BLOCKED-PORT ",
  rateLimit: "WARDEN-RATELIMIT ",
  policy: "WARDEN-POLICY-DROP ",
} as const;

const BUILTIN_INFO: LogPrefixMap = {
  [BUILTIN_PREFIXES.blacklist]: { rule_id: null, rule_name: "Blacklist", action: "DROP", reason: "Source blacklisted" },
  [BUILTIN_PREFIXES.portScan]: {
    rule_id: null,
    rule_name: "Port scan detection",
    action: "DROP",
    reason: "Port scan pattern",
  },
  [BUILTIN_PREFIXES.dos]: {
    rule_id: null,
    rule_name: "DoS protection",
    action: "DROP",
    reason: "Too many connections from one source",
  },
  [BUILTIN_PREFIXES.synFlood]: {
    rule_id: null,
    rule_name: "SYN flood protection",
    action: "DROP",
    reason: "SYN flood",
  },
  [BUILTIN_PREFIXES.blockedPort]: {
    rule_id: null,
    rule_name: "Blocked ports",
    action: "DROP",
    reason: "Port {port} blocked",
  },
  [BUILTIN_PREFIXES.rateLimit]: {
    rule_id: null,
    rule_name: "Rate limiting",
    action: "DROP",
    reason: "Rate limit exceeded",
  },
  [BUILTIN_PREFIXES.policy]: { rule_id: null, rule_name: "Default policy", action: "DROP", reason: "Default policy" },
};

const NFT_LOG_LEVELS = new Set(["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"]);
const LOG_LEVEL_ALIASES: Record<string, string> = {
  warning: "warn",
  error: "err",
  critical: "crit",
  emergency: "emerg",
};
const DEFAULT_SYN_FLOOD_RATE = 25;
const DEFAULT_PORT_SCAN_THRESHOLD = 10;
/** A source caught scanning is dropped this long (the set element's timeout). */
export const PORT_SCAN_BLOCK = "10m";
/** Concurrent connections one source may hold while dos_protection is on. */
export const DOS_MAX_CONNECTIONS_PER_SOURCE = 100;
/** Upper bound of each dynamic (per-source) set, so a spoofed-source flood cannot grow kernel memory without end. */
const DYNAMIC_SET_SIZE = 65536;
/** Built-in drops are logged at most this often, so an attack cannot flood the log. */
const BUILTIN_LOG_RATE = "5/second";

export function renderNftRuleset(config: FirewallDesired, opts: { now: Date }): RenderedRuleset {
  const header = [
    "#!/usr/sbin/nft -f",
    `# Warden firewall, config_version ${config.config_version}. Written by warden-edge; the next config replaces it.`,
    `table inet ${NFT_TABLE}`,
    `delete table inet ${NFT_TABLE}`,
  ];
  if (!config.enabled) {
    return { text: [...header, "# Firewall disabled: Warden's table is removed.", ""].join("\n"), logPrefixes: {} };
  }

  const level = logLevel(config.log_level);
  const logPrefixes: LogPrefixMap = { ...BUILTIN_INFO };
  const whitelist = setElements(config.whitelist, opts.now);
  const blacklist = setElements(config.blacklist, opts.now);
  const policy = config.default_policy === "DROP" ? "drop" : "accept";
  const builtinLog = (prefix: string) => `limit rate ${BUILTIN_LOG_RATE} log prefix ${quote(prefix)} level ${level}`;
  const rules = [...config.rules].filter((r) => r.enabled).sort((a, b) => a.priority - b.priority || a.id - b.id);
  const userRules = (chain: FirewallRule["chain"]) =>
    rules.filter((r) => r.chain === chain).map((r) => renderRule(r, level, logPrefixes));

  const input: string[] = [
    `type filter hook input priority filter; policy ${policy};`,
    `ip saddr @blacklist_v4 ${builtinLog(BUILTIN_PREFIXES.blacklist)}`,
    "ip saddr @blacklist_v4 drop",
    `ip6 saddr @blacklist_v6 ${builtinLog(BUILTIN_PREFIXES.blacklist)}`,
    "ip6 saddr @blacklist_v6 drop",
    "ct state established,related accept",
    "ct state invalid drop",
    'iifname "lo" accept',
    "ip saddr @whitelist_v4 accept",
    "ip6 saddr @whitelist_v6 accept",
  ];
  const dynamicSets: string[] = [];
  if (config.port_scan_detection) {
    const threshold = config.port_scan_threshold ?? DEFAULT_PORT_SCAN_THRESHOLD;
    for (const [fam, addr, type] of FAMILIES) {
      dynamicSets.push(
        ...renderDynamicSet(`portscan_pairs_${fam}`, `${type} . inet_service`, "1m"),
        ...renderDynamicSet(`portscan_meter_${fam}`, type, "1m"),
        ...renderDynamicSet(`portscanners_${fam}`, type, PORT_SCAN_BLOCK),
      );
      input.push(
        `${addr} saddr @portscanners_${fam} ${builtinLog(BUILTIN_PREFIXES.portScan)}`,
        `${addr} saddr @portscanners_${fam} drop`,
      );
    }
    for (const pattern of ["0x0", "fin|psh|urg", "fin|syn|rst|psh|ack|urg"]) {
      input.push(`tcp flags & (fin|syn|rst|psh|ack|urg) == ${pattern} ${builtinLog(BUILTIN_PREFIXES.portScan)}`);
      input.push(`tcp flags & (fin|syn|rst|psh|ack|urg) == ${pattern} drop`);
    }
    input.push(`tcp flags & (syn|rst) == syn|rst drop`, `tcp flags & (syn|fin) == syn|fin drop`);
    // A (source, port) pair counts once a minute; more than `threshold` distinct ports a minute from
    // one source flags it as a scanner (dropped by the rules above until its element times out).
    for (const [fam, addr] of FAMILIES) {
      input.push(
        `ct state new meta l4proto { tcp, udp } ${addr} saddr . th dport != @portscan_pairs_${fam} ` +
          `add @portscan_pairs_${fam} { ${addr} saddr . th dport } ` +
          `update @portscan_meter_${fam} { ${addr} saddr limit rate over ${threshold}/minute burst ${threshold} packets } ` +
          `add @portscanners_${fam} { ${addr} saddr } log prefix ${quote(BUILTIN_PREFIXES.portScan)} level ${level} drop`,
      );
    }
  }
  if (config.syn_flood_protection) {
    const rate = config.syn_flood_rate ?? DEFAULT_SYN_FLOOD_RATE;
    const syn = `tcp flags & (fin|syn|rst|ack) == syn limit rate over ${rate}/second burst ${rate * 2} packets`;
    input.push(`${syn} log prefix ${quote(BUILTIN_PREFIXES.synFlood)} level ${level} drop`);
  }
  if (config.dos_protection) {
    for (const [fam, addr, type] of FAMILIES) {
      dynamicSets.push(...renderDynamicSet(`dos_conns_${fam}`, type));
      input.push(
        `ct state new add @dos_conns_${fam} { ${addr} saddr ct count over ${DOS_MAX_CONNECTIONS_PER_SOURCE} } ` +
          `log prefix ${quote(BUILTIN_PREFIXES.dos)} level ${level} drop`,
      );
    }
  }
  for (const proto of ["TCP", "UDP"] as const) {
    const ports = [...new Set(config.blocked_ports.filter((p) => p.protocol === proto).map((p) => p.port))].sort(
      (a, b) => a - b,
    );
    if (ports.length === 0) continue;
    const match = `${proto.toLowerCase()} dport { ${ports.join(", ")} }`;
    input.push(`${match} ${builtinLog(BUILTIN_PREFIXES.blockedPort)}`, `${match} drop`);
  }
  if (config.rate_limiting?.enabled) {
    // Per source: one busy client cannot use up everyone's budget.
    const { requests_per_second: rps, burst_size: burst } = config.rate_limiting;
    const limit = `limit rate over ${rps}/second${burst > 0 ? ` burst ${burst} packets` : ""}`;
    for (const [fam, addr, type] of FAMILIES) {
      dynamicSets.push(...renderDynamicSet(`ratelimit_${fam}`, type, "1m"));
      input.push(
        `ct state new update @ratelimit_${fam} { ${addr} saddr ${limit} } ` +
          `log prefix ${quote(BUILTIN_PREFIXES.rateLimit)} level ${level} drop`,
      );
    }
  }
  if (config.vpn_enabled && config.vpn_port !== undefined) {
    input.push(`udp dport ${config.vpn_port} accept comment "VPN"`);
  }
  input.push(...userRules("INPUT"));
  if (policy === "drop") input.push(builtinLog(BUILTIN_PREFIXES.policy));

  const forward: string[] = [
    `type filter hook forward priority filter; policy ${policy};`,
    "ip saddr @blacklist_v4 drop",
    "ip6 saddr @blacklist_v6 drop",
    "ct state established,related accept",
    "ct state invalid drop",
    ...userRules("FORWARD"),
  ];
  const output: string[] = ["type filter hook output priority filter; policy accept;", ...userRules("OUTPUT")];

  const body = [
    `table inet ${NFT_TABLE} {`,
    ...renderSet("whitelist_v4", "ipv4_addr", whitelist.v4),
    ...renderSet("whitelist_v6", "ipv6_addr", whitelist.v6),
    ...renderSet("blacklist_v4", "ipv4_addr", blacklist.v4),
    ...renderSet("blacklist_v6", "ipv6_addr", blacklist.v6),
    ...dynamicSets,
    ...renderChain("input", input),
    ...renderChain("forward", forward),
    ...renderChain("output", output),
    "}",
    "",
  ];
  return { text: [...header, ...body].join("\n"), logPrefixes };
}

function renderRule(rule: FirewallRule, level: string, logPrefixes: LogPrefixMap): string {
  const parts: string[] = [];
  if (rule.interface) parts.push(`${rule.chain === "OUTPUT" ? "oifname" : "iifname"} ${quote(rule.interface)}`);
  if (rule.source && !isAny(rule.source)) parts.push(`${family(rule.source)} saddr ${rule.source}`);
  if (rule.destination && !isAny(rule.destination)) parts.push(`${family(rule.destination)} daddr ${rule.destination}`);
  switch (rule.protocol) {
    case "TCP":
    case "UDP":
      parts.push(
        rule.port ? `${rule.protocol.toLowerCase()} dport ${rule.port}` : `meta l4proto ${rule.protocol.toLowerCase()}`,
      );
      break;
    case "ICMP":
      parts.push("meta l4proto { icmp, ipv6-icmp }");
      break;
    case "ALL":
      if (rule.port) parts.push(`meta l4proto { tcp, udp } th dport ${rule.port}`);
      break;
  }
  if (rule.log) {
    const prefix = rule.log_prefix ? withTrailingSpace(rule.log_prefix) : `WARDEN-R${rule.id}-${rule.action} `;
    logPrefixes[prefix] = { rule_id: rule.id, rule_name: rule.name, action: rule.action, reason: null };
    parts.push(`log prefix ${quote(prefix)} level ${level}`);
  }
  // The counter lets the edge report rules no packet ever matched (posture.ts, `unused_rules`).
  parts.push("counter");
  parts.push(rule.action === "ACCEPT" ? "accept" : rule.action === "DROP" ? "drop" : "reject");
  parts.push(`comment ${quote(`rule ${rule.id}: ${rule.name}`.slice(0, 120))}`);
  return parts.join(" ");
}

/** An address set; every one may hold timed elements (entries with an expiry). */
function renderSet(name: string, type: string, elements: string[]): string[] {
  return [
    `  set ${name} {`,
    `    type ${type}`,
    "    flags interval, timeout",
    "    auto-merge",
    ...(elements.length > 0 ? [`    elements = { ${elements.join(", ")} }`] : []),
    "  }",
  ];
}

/** A set the rules fill per source at run time (meters, scanners, connection counts). */
function renderDynamicSet(name: string, type: string, timeout?: string): string[] {
  return [
    `  set ${name} {`,
    `    type ${type}`,
    `    flags dynamic${timeout ? ", timeout" : ""}`,
    ...(timeout ? [`    timeout ${timeout}`] : []),
    `    size ${DYNAMIC_SET_SIZE}`,
    "  }",
  ];
}

const FAMILIES = [
  ["v4", "ip", "ipv4_addr"],
  ["v6", "ip6", "ipv6_addr"],
] as const;

/**
 * The elements of the whitelist or blacklist sets, per family: expired entries are left out, an
 * entry with an expiry gets `timeout <time left>` so the kernel drops it on time. An address listed
 * twice keeps its longest life (no expiry beats any expiry).
 */
export function setElements(entries: readonly AddressListEntry[], now: Date): { v4: string[]; v6: string[] } {
  const best = new Map<string, number | undefined>();
  for (const entry of entries) {
    const left = secondsUntil(entry.expires, now);
    if (left === "expired") continue;
    if (!best.has(entry.ip)) {
      best.set(entry.ip, left);
      continue;
    }
    const have = best.get(entry.ip);
    if (have !== undefined && (left === undefined || left > have)) best.set(entry.ip, left);
  }
  const out = { v4: [] as string[], v6: [] as string[] };
  for (const [ip, left] of best) {
    out[family(ip) === "ip" ? "v4" : "v6"].push(left === undefined ? ip : `${ip} timeout ${nftDuration(left)}`);
  }
  return out;
}

function renderChain(name: string, lines: string[]): string[] {
  return [`  chain ${name} {`, ...lines.map((l) => `    ${l}`), "  }"];
}

/** The address family by its notation; nft itself rejects what is neither. */
function family(address: string): "ip" | "ip6" {
  return address.includes(":") ? "ip6" : "ip";
}

function isAny(address: string): boolean {
  return address === "0.0.0.0/0" || address === "::/0";
}

/** Longest timeout nft accepts; an expiry further out is rendered without one. */
const MAX_TIMEOUT_SECONDS = 99_999 * 86_400;

function secondsUntil(expires: string | undefined, now: Date): number | "expired" | undefined {
  if (!expires) return undefined;
  const seconds = Math.ceil((Date.parse(expires) - now.getTime()) / 1000);
  if (seconds <= 0) return "expired";
  return seconds > MAX_TIMEOUT_SECONDS ? undefined : seconds;
}

/** nft reads large second counts poorly ("value too large" past ~10^8 s), so write d/h/m/s. */
export function nftDuration(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86400);
  const rest = [
    [Math.floor((totalSeconds % 86400) / 3600), "h"],
    [Math.floor((totalSeconds % 3600) / 60), "m"],
    [totalSeconds % 60, "s"],
  ] as const;
  const text = `${days > 0 ? `${days}d` : ""}${rest.map(([n, unit]) => (n > 0 ? `${n}${unit}` : "")).join("")}`;
  return text === "" ? "1s" : text;
}

function logLevel(level: string | undefined): string {
  const wanted = (level ?? "warn").toLowerCase();
  const name = LOG_LEVEL_ALIASES[wanted] ?? wanted;
  return NFT_LOG_LEVELS.has(name) ? name : "warn";
}

function withTrailingSpace(prefix: string): string {
  return prefix.endsWith(" ") ? prefix : `${prefix} `;
}

/** nft strings cannot contain a double quote or a backslash; the contract keeps them out, this is belt and braces. */
function quote(text: string): string {
  return `"${text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "_")}"`;
}
