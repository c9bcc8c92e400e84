/**
 * What a firewall would choke on, refused at the API instead of on the device: addresses and CIDRs
 * (IPv4 and IPv6, prefix ranges, host bits), ports and port ranges, protocols, chains, actions,
 * priorities, interface names and nft log prefixes. Each checker returns the problem as a sentence,
 * or undefined when the value is fine; `netCheck` turns one into a zod check so a request schema
 * reports it against the field that carries it.
 */

import { isIPv4, isIPv6 } from "node:net";
import * as z from "zod/mini";
import { ACTIONS, CHAINS, PROTOCOLS } from "#shared/fleet/db/firewall.ts";
import { freeText } from "#shared/kit/text.ts";

export type Problem = string | undefined;

const V4_BITS = 32;
const V6_BITS = 128;

function v4ToBigInt(ip: string): bigint {
  return ip.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function bigIntToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 255n)).join(".");
}

/** Expands `::` and an embedded dotted quad, then reads the 8 groups as one 128-bit number. */
function v6ToBigInt(ip: string): bigint {
  let text = ip;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const n = v4ToBigInt(tail);
    text = `${text.slice(0, lastColon + 1)}${((n >> 16n) & 0xffffn).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function bigIntToV6(n: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((n >> shift) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 writes addresses.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === "0") j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(":");
  return `${groups.slice(0, best.at).join(":")}::${groups.slice(best.at + best.len).join(":")}`;
}

/** Dotted quads without leading zeros (nft and iptables read `010` differently) and no zone ids. */
function ipFamily(ip: string): 4 | 6 | undefined {
  if (isIPv4(ip)) return ip.split(".").every((o) => o === "0" || !o.startsWith("0")) ? 4 : undefined;
  if (isIPv6(ip) && !ip.includes("%")) return 6;
  return undefined;
}

export function checkIp(value: string): Problem {
  return ipFamily(value) ? undefined : `'${value}' is not an IPv4 or IPv6 address`;
}

/**
 * An address or a network in CIDR notation. The prefix must fit the family and the address must
 * be the network's first address: `192.168.1.5/24` is refused with the network it probably meant,
 * because nft silently masks host bits and the rule would not match what the author wrote.
 */
export function checkCidr(value: string): Problem {
  const [ip = "", prefixText, ...extra] = value.split("/");
  const family = ipFamily(ip);
  if (!family || extra.length > 0) return `'${value}' is not an IP address or CIDR network`;
  if (prefixText === undefined) return undefined;
  const bits = family === 4 ? V4_BITS : V6_BITS;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return `'${value}': the prefix length must be 0–${bits} for an IPv${family} network`;
  }
  const prefix = BigInt(prefixText);
  const n = family === 4 ? v4ToBigInt(ip) : v6ToBigInt(ip);
  const hostMask = (1n << BigInt(bits - Number(prefix))) - 1n;
  if ((n & hostMask) !== 0n) {
    const network = n & ~hostMask & ((1n << BigInt(bits)) - 1n);
    const suggestion = family === 4 ? bigIntToV4(network) : bigIntToV6(network);
    return `'${value}' has host bits set; the network is ${suggestion}/${prefixText}`;
  }
  return undefined;
}

export function cidrFamily(value: string): 4 | 6 | undefined {
  return ipFamily(value.split("/")[0] ?? "");
}

/** True when `value` (an address or network) is the whole address space, e.g. 0.0.0.0/0 or ::/0. */
export function isAnyAddress(value: string | undefined): boolean {
  return value === undefined || value === "" || value === "0.0.0.0/0" || value === "::/0" || value === "any";
}

export function checkPort(value: number): Problem {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : `port ${value} is not in 1–65535`;
}

/** A port as rules carry it: "22", or an inclusive range "8000-8080" with a ≤ b. */
export function checkPortSpec(value: string): Problem {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value);
  if (!m) return `'${value}' is not a port (1–65535) or a range 'a-b'`;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  const bad = checkPort(a) ?? checkPort(b);
  if (bad) return `'${value}': ${bad}`;
  if (a > b) return `'${value}': the range start must not exceed its end`;
  return undefined;
}

/** The ports a spec covers, as [low, high]. */
export function portRange(value: string): [number, number] {
  const [a = "0", b] = value.split("-");
  return [Number(a), Number(b ?? a)];
}

export function checkPriority(value: number): Problem {
  return Number.isInteger(value) && value >= 1 && value <= 10000
    ? undefined
    : `priority ${value} is not an integer in 1–10000`;
}

/** Linux interface names: IFNAMSIZ is 16 including the terminating NUL. */
export function checkInterface(value: string): Problem {
  return /^[a-zA-Z0-9_.-]{1,15}$/.test(value)
    ? undefined
    : `'${value}' is not an interface name (1–15 of letters, digits, '_', '.', '-')`;
}

/**
 * nft `log prefix "…"`: printable, no quote or backslash that would end or escape the string. nft
 * itself allows 127 characters; the edge contract (edge/contract.ts, LogPrefix) allows 64, and the
 * API must not accept what the gateway will refuse, so the stricter limit wins.
 */
export const LOG_PREFIX_MAX = 64;

export function checkLogPrefix(value: string): Problem {
  if (value.length === 0 || value.length > LOG_PREFIX_MAX) return `a log prefix has 1–${LOG_PREFIX_MAX} characters`;
  if (/["'\\]/.test(value)) return "a log prefix may not contain quotes or backslashes";
  if (!/^[\x20-\x7e]+$/.test(value)) return "a log prefix may contain printable ASCII characters only";
  return undefined;
}

/** A zod check from a checker, so the issue lands on the field being validated. */
export function netCheck<T>(checker: (value: T) => Problem) {
  return z.superRefine<T>((value, ctx) => {
    const problem = checker(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  });
}

/** Upper-cases before matching, so "tcp" and "TCP" are the same protocol. */
export function upperEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  what: string,
  listed = values.join(", "),
) {
  return z.pipe(
    z.pipe(
      z.string(),
      z.transform((v) => v.toUpperCase()),
    ),
    z.enum(values, { error: () => `${what} must be one of ${listed}` }),
  );
}

export const schemas = {
  ip: z.string().check(z.trim(), netCheck(checkIp)),
  cidr: z.string().check(z.trim(), netCheck(checkCidr)),
  port: z.number().check(netCheck(checkPort)),
  portSpec: z
    .pipe(
      z.union([z.string(), z.number()]),
      z.transform((v) => String(v).trim()),
    )
    .check(netCheck(checkPortSpec)),
  protocol: upperEnum(PROTOCOLS, "protocol"),
  chain: upperEnum(CHAINS, "chain"),
  action: upperEnum(ACTIONS, "action"),
  priority: z.number().check(netCheck(checkPriority)),
  interfaceName: z.string().check(netCheck(checkInterface)),
  logPrefix: z.string().check(netCheck(checkLogPrefix)),
};

/** Free text that ends up in device configuration or logs: bounded, no control or bidi characters. */
export const text = (max: number) => freeText({ max });

/** A gateway id in a body (number) or a query string (text): selects one gateway's overrides. */
export const gatewayIdField = {
  body: z.optional(z.number().check(z.int(), z.positive())),
  query: z.optional(z.coerce.number().check(z.int(), z.positive())),
};
