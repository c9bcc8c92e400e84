/**
 * What the gateway observes about itself, for Warden's security scan, kept compact (it rides in
 * the shadow's 1 KB `reported`, edge contract POSTURE_LIMITS):
 *
 *   listening     `tcp:<port>`/`udp:<port>` of sockets bound to a non-loopback address, from
 *                 /proc/net/{tcp,tcp6,udp,udp6} (TCP in LISTEN, UDP bound with no peer)
 *   unused_rules  ids of Warden's rules whose nft `counter` is still zero (`nft -j list table inet warden`;
 *                 rules are rendered with `counter` and a `rule <id>: <name>` comment)
 *   drift         the live ruleset / sshd_config / authorized_keys differ from what the edge applied
 *   weak_keys     DSA keys and RSA keys under 2048 bits in the live authorized_keys files
 *
 * Parsers are pure (tested on fixtures of the real formats); `observe*` wire them to files and tools.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { POSTURE_LIMITS, REPORTED_STATE_MAX_BYTES, type ReportedState } from "./contract.ts";

// ── /proc/net ────────────────────────────────────────────────────────────────────────────────

const TCP_LISTEN = "0A";
const UDP_UNCONNECTED = "07";

/** Is a /proc/net local address (hex, kernel byte order) a loopback one? */
function isLoopback(hexAddress: string): boolean {
  if (hexAddress.length === 8) return hexAddress.endsWith("7F"); // 127.0.0.0/8, little-endian
  if (hexAddress.length === 32) {
    if (hexAddress === "00000000000000000000000001000000") return true; // ::1
    // ::ffff:127.x.x.x (IPv4-mapped)
    return hexAddress.startsWith("0000000000000000FFFF0000") && hexAddress.endsWith("7F");
  }
  return false;
}

/** Listening ports in one /proc/net/{tcp,tcp6,udp,udp6} file's text. */
export function parseProcNet(text: string, proto: "tcp" | "udp"): number[] {
  const ports: number[] = [];
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [local, remote, state] = [cols[1], cols[2], cols[3]];
    if (!local || !remote || !state) continue;
    const [address = "", portHex = ""] = local.split(":");
    const remotePort = remote.split(":")[1];
    const listening = proto === "tcp" ? state === TCP_LISTEN : state === UDP_UNCONNECTED && remotePort === "0000";
    if (!listening || isLoopback(address)) continue;
    const port = Number.parseInt(portHex, 16);
    if (Number.isInteger(port) && port > 0) ports.push(port);
  }
  return ports;
}

/** Sorted, unique `proto:port` entries, capped for the report. */
export async function listeningPorts(procNetDir: string): Promise<string[] | null> {
  const entries = new Set<string>();
  let read = 0;
  for (const [file, proto] of [
    ["tcp", "tcp"],
    ["tcp6", "tcp"],
    ["udp", "udp"],
    ["udp6", "udp"],
  ] as const) {
    const text = await readFile(join(procNetDir, file), "utf8").catch(() => undefined);
    if (text === undefined) continue;
    read++;
    for (const port of parseProcNet(text, proto)) entries.add(`${proto}:${port}`);
  }
  if (read === 0) return null;
  return [...entries]
    .sort((a, b) => Number(a.split(":")[1]) - Number(b.split(":")[1]) || a.localeCompare(b))
    .slice(0, POSTURE_LIMITS.listening);
}

// ── nft counters ─────────────────────────────────────────────────────────────────────────────

interface NftRule {
  rule?: { comment?: string; expr?: Record<string, unknown>[] };
}

/**
 * Ids of Warden rules (comment `rule <id>: …`) whose counter is zero, from `nft -j list table`
 * output; null when no Warden rule carries a counter (an older ruleset: nothing to judge).
 */
export function zeroHitRules(nftJson: string): number[] | null {
  let parsed: { nftables?: NftRule[] };
  try {
    parsed = JSON.parse(nftJson) as { nftables?: NftRule[] };
  } catch {
    return null;
  }
  const zero: number[] = [];
  let counted = 0;
  for (const item of parsed.nftables ?? []) {
    const id = /^rule (\d+):/.exec(item.rule?.comment ?? "")?.[1];
    if (!id) continue;
    const counter = item.rule?.expr?.find((e) => "counter" in e)?.counter as { packets?: number } | undefined;
    if (!counter) continue;
    counted++;
    if ((counter.packets ?? 0) === 0) zero.push(Number(id));
  }
  return counted === 0 ? null : [...new Set(zero)].sort((a, b) => a - b).slice(0, POSTURE_LIMITS.unusedRules);
}

// ── authorized_keys ──────────────────────────────────────────────────────────────────────────

/** Bits of an RSA key's modulus from its OpenSSH blob (string type, mpint e, mpint n). */
export function rsaBits(blob: Buffer): number | null {
  let at = 0;
  const next = (): Buffer | null => {
    if (at + 4 > blob.length) return null;
    const len = blob.readUInt32BE(at);
    at += 4;
    if (at + len > blob.length) return null;
    const out = blob.subarray(at, at + len);
    at += len;
    return out;
  };
  if (next()?.toString() !== "ssh-rsa") return null;
  if (!next()) return null;
  const n = next();
  if (!n) return null;
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i] as number));
}

/** Weak keys (DSA; RSA under 2048 bits) in one user's authorized_keys text: `RSA-1024 <user>`. */
export function weakKeysIn(text: string, user: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    // Options may precede the key type: find the type token.
    const tokens = line.split(/\s+/);
    const at = tokens.findIndex(
      (t) => t === "ssh-rsa" || t === "ssh-dss" || t.startsWith("ssh-") || t.startsWith("ecdsa-"),
    );
    if (at < 0) continue;
    const type = tokens[at];
    if (type === "ssh-dss") out.push(`DSA-1024 ${user}`.slice(0, 120));
    if (type === "ssh-rsa") {
      const bits = rsaBits(Buffer.from(tokens[at + 1] ?? "", "base64"));
      if (bits !== null && bits < 2048) out.push(`RSA-${bits} ${user}`.slice(0, 120));
    }
  }
  return out;
}

/** Weak keys across a directory of per-user authorized_keys files (file name = user). */
export async function weakAuthorizedKeys(dir: string): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const user of files.sort()) {
    const text = await readFile(join(dir, user), "utf8").catch(() => "");
    out.push(...weakKeysIn(text, user));
  }
  return out.slice(0, POSTURE_LIMITS.weakKeys);
}

// ── drift ────────────────────────────────────────────────────────────────────────────────────

/** A digest of files (and of a directory's files, by name): what the edge compares after applying. */
export async function digestOf(paths: readonly string[], dirs: readonly string[] = []): Promise<string> {
  const h = createHash("sha256");
  for (const p of paths) {
    h.update(`${p}\0`);
    h.update(await readFile(p).catch(() => Buffer.from("<missing>")));
  }
  for (const d of dirs) {
    for (const name of (await readdir(d).catch(() => [] as string[])).sort()) {
      h.update(`${d}/${name}\0`);
      h.update(await readFile(join(d, name)).catch(() => Buffer.from("<missing>")));
    }
  }
  return h.digest("hex");
}

// ── fitting the report ───────────────────────────────────────────────────────────────────────

const sizeOf = (r: ReportedState) => Buffer.byteLength(JSON.stringify(r));

/** Cuts the posture lists (listening ports first, then zero-hit rules) until the report fits its 1 KB. */
export function fitReport(r: ReportedState): ReportedState {
  const out = { ...r };
  while (sizeOf(out) > REPORTED_STATE_MAX_BYTES && (out.listening?.length ?? 0) > 0) {
    out.listening = out.listening?.slice(0, -1) ?? null;
  }
  while (sizeOf(out) > REPORTED_STATE_MAX_BYTES && (out.unused_rules?.length ?? 0) > 0) {
    out.unused_rules = out.unused_rules?.slice(0, -1) ?? null;
  }
  return out;
}
