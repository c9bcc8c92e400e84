/**
 * Parsers for the two log sources the edge follows: kernel log lines written by nftables `log`
 * statements, and sshd's authentication log. Pure; the clock is a parameter.
 */
import type { FirewallLogLine, SshAuthFailureReason } from "./contract.ts";
import type { LogPrefixMap } from "./render-nft.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ISO_START = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s/;
const SYSLOG_START = /^([A-Z][a-z]{2})\s+(\d{1,2}) (\d\d):(\d\d):(\d\d)\s/;

/**
 * The time at the start of a log line: ISO 8601 (journalctl -o short-iso, rsyslog high precision)
 * or classic syslog "Mar 15 10:25:30" (local time, no year: the most recent such moment not in
 * the future). Lines without one get `now`.
 */
export function parseLogTimestamp(line: string, now: Date): string {
  const iso = ISO_START.exec(line);
  if (iso?.[1]) {
    const t = Date.parse(iso[1]);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  const sys = SYSLOG_START.exec(line);
  if (sys) {
    const month = MONTHS.indexOf(sys[1] ?? "");
    const [day, h, m, s] = [sys[2], sys[3], sys[4], sys[5]].map(Number);
    if (month >= 0 && day !== undefined && h !== undefined && m !== undefined && s !== undefined) {
      let date = new Date(now.getFullYear(), month, day, h, m, s);
      if (date.getTime() > now.getTime() + 86_400_000) date = new Date(now.getFullYear() - 1, month, day, h, m, s);
      return date.toISOString();
    }
  }
  return now.toISOString();
}

const FIELDS_START = /(^|\s)IN=/;

/**
 * One nftables log line, e.g.
 * `Mar 15 10:25:30 gw kernel: [123.4] WARDEN-R3-DROP IN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.100 LEN=60 … PROTO=TCP SPT=54321 DPT=23 …`.
 * Only lines carrying one of Warden's prefixes are returned; the prefix names the rule.
 */
export function parseFirewallLogLine(line: string, prefixes: LogPrefixMap, now: Date): FirewallLogLine | null {
  const match = FIELDS_START.exec(line);
  if (!match) return null;
  const head = line.slice(0, match.index).trimEnd();
  const prefix = Object.keys(prefixes)
    .filter((p) => p.trim() !== "" && head.endsWith(p.trimEnd()))
    .sort((a, b) => b.length - a.length)[0];
  const info = prefix === undefined ? undefined : prefixes[prefix];
  if (prefix === undefined || !info) return null;

  const fields = new Map<string, string>();
  for (const token of line.slice(match.index).trim().split(/\s+/)) {
    const eq = token.indexOf("=");
    if (eq > 0) fields.set(token.slice(0, eq), token.slice(eq + 1));
  }
  const source = fields.get("SRC");
  const destination = fields.get("DST");
  if (!source || !destination) return null;
  const int = (key: string) => {
    const n = Number(fields.get(key));
    return fields.has(key) && Number.isInteger(n) ? n : null;
  };
  const destinationPort = int("DPT");
  return {
    timestamp: parseLogTimestamp(line, now),
    action: info.action,
    protocol: fields.get("PROTO") ?? "UNKNOWN",
    source_ip: source,
    source_port: int("SPT"),
    destination_ip: destination,
    destination_port: destinationPort,
    interface: fields.get("IN") || null,
    out_interface: fields.get("OUT") || null,
    rule_id: info.rule_id,
    rule_name: info.rule_name,
    prefix: prefix.trimEnd(),
    bytes: int("LEN"),
    reason: info.reason?.replace("{port}", destinationPort === null ? "?" : String(destinationPort)) ?? null,
  };
}

export type AuthLogEvent =
  | {
      kind: "login";
      pid: number;
      username: string;
      clientIp: string;
      clientPort: number;
      authMethod: string;
      timestamp: string;
    }
  | { kind: "logout"; pid: number; timestamp: string; reason: "user_exit" | "timeout" | "connection_lost" };

const SSHD = String.raw`sshd(?:-session)?\[(\d+)\]:`;
const ACCEPTED = new RegExp(`${SSHD} Accepted (\\S+) for (\\S+) from (\\S+) port (\\d+)`);
const LOGOUTS: { pattern: RegExp; reason: "user_exit" | "timeout" | "connection_lost" }[] = [
  { pattern: new RegExp(`${SSHD} Disconnected from user \\S+ \\S+ port \\d+`), reason: "user_exit" },
  {
    pattern: new RegExp(`${SSHD} Received disconnect from \\S+ port \\d+:\\d+: (?!.*\\[preauth\\])`),
    reason: "user_exit",
  },
  { pattern: new RegExp(`${SSHD} pam_unix\\(sshd:session\\): session closed for user`), reason: "user_exit" },
  { pattern: new RegExp(`${SSHD} Timeout, client not responding`), reason: "timeout" },
  {
    pattern: new RegExp(`${SSHD} Connection (?:closed|reset) by \\S+ port \\d+(?!.*\\[preauth\\])`),
    reason: "connection_lost",
  },
];

/** sshd log lines that start or end a session; everything else is null. */
export function parseAuthLogLine(line: string, now: Date): AuthLogEvent | null {
  const accepted = ACCEPTED.exec(line);
  if (accepted) {
    const [, pid, method, username, ip, port] = accepted;
    return {
      kind: "login",
      pid: Number(pid),
      username: username ?? "",
      clientIp: ip ?? "",
      clientPort: Number(port),
      authMethod: method ?? "",
      timestamp: parseLogTimestamp(line, now),
    };
  }
  for (const { pattern, reason } of LOGOUTS) {
    const m = pattern.exec(line);
    if (m) return { kind: "logout", pid: Number(m[1]), timestamp: parseLogTimestamp(line, now), reason };
  }
  return null;
}

/**
 * One failed SSH login line. `stage` tells the de-duplication (auth-failures.ts) how the line
 * relates to the others of the same connection: an `attempt` is one rejected credential, a `notice`
 * announces an unknown user before its attempts, a `closing` line ends a connection that failed.
 */
export interface AuthFailureLine {
  pid: number | null;
  stage: "attempt" | "notice" | "closing";
  timestamp: string;
  username: string;
  clientIp: string;
  clientPort: number | null;
  reason: SshAuthFailureReason;
}

const SSHD_ANY = String.raw`sshd(?:-session)?(?:\[(\d+)\])?:`;
const FAILURE_PATTERNS: {
  pattern: RegExp;
  stage: AuthFailureLine["stage"];
  reason: (m: RegExpExecArray) => SshAuthFailureReason;
}[] = [
  {
    // Failed password for [invalid user ]X from IP port N ssh2
    pattern: new RegExp(`${SSHD_ANY} Failed (\\S+) for (invalid user )?(.*?) from (\\S+) port (\\d+)`),
    stage: "attempt",
    reason: (m) => (m[3] ? "invalid_user" : m[2] === "password" ? "failed_password" : "failed_auth"),
  },
  {
    // Invalid user X from IP port N
    pattern: new RegExp(`${SSHD_ANY} ()()Invalid user (.*?) from (\\S+)(?: port (\\d+))?\\s*$`),
    stage: "notice",
    reason: () => "invalid_user",
  },
  {
    // Connection closed by authenticating user X IP port N [preauth] (also "Disconnected from …", "… invalid user …")
    pattern: new RegExp(
      `${SSHD_ANY} (?:Connection closed by|Disconnected from) ()(authenticating user|invalid user) (\\S+) (\\S+) port (\\d+) \\[preauth\\]`,
    ),
    stage: "closing",
    reason: (m) => (m[3] === "invalid user" ? "invalid_user" : "preauth_disconnect"),
  },
  {
    // error: maximum authentication attempts exceeded for [invalid user ]X from IP port N ssh2 [preauth]
    pattern: new RegExp(
      `${SSHD_ANY} (?:error: )?()maximum authentication attempts exceeded for (invalid user )?(\\S+) from (\\S+)(?: port (\\d+))?`,
    ),
    stage: "closing",
    reason: () => "max_auth_attempts",
  },
];

/** sshd log lines of failed logins (see AuthFailureLine); everything else is null. */
export function parseAuthFailureLine(line: string, now: Date): AuthFailureLine | null {
  for (const { pattern, stage, reason } of FAILURE_PATTERNS) {
    const m = pattern.exec(line);
    if (!m) continue;
    const [, pid, , , username = "", ip = "", port] = m;
    return {
      pid: pid === undefined ? null : Number(pid),
      stage,
      timestamp: parseLogTimestamp(line, now),
      username,
      clientIp: ip,
      clientPort: port === undefined ? null : Number(port),
      reason: reason(m),
    };
  }
  return null;
}
