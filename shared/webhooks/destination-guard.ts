/**
 * Where an outgoing webhook may go. Server-side request forgery: a destination must be https and
 * every address its host resolves to must be public. The check runs when the URL is saved and
 * again inside the connection's own DNS lookup at delivery time (`guardedLookup`), so the address
 * connected to is the address checked (a DNS rebind between check and connect cannot slip
 * through). Local mode and tests may allow private addresses and plain http, explicitly
 * (`allowPrivate`).
 */
import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { Invalid } from "#shared/kit/errors.ts";

export interface DestinationOptions {
  /** Allow private, loopback, link-local and unique-local destinations and plain http. */
  allowPrivate: boolean;
}

const NON_PUBLIC = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  NON_PUBLIC.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  NON_PUBLIC.addSubnet(net, bits, "ipv6");
}

/** True for private, loopback, link-local, unique-local, multicast and reserved addresses. */
export function isNonPublicAddress(address: string): boolean {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  if (mapped) return isNonPublicAddress(mapped);
  const family = isIP(address);
  if (family === 0) return true;
  return NON_PUBLIC.check(address, family === 4 ? "ipv4" : "ipv6");
}

export class DestinationRefused extends Error {}

/** Resolves a host (or takes an address literal) and refuses it unless every address is allowed. */
export async function resolveDestination(host: string, opts: DestinationOptions): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  let addresses: LookupAddress[];
  if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
  else {
    try {
      addresses = await dnsLookup(bare, { all: true, verbatim: true });
    } catch {
      throw new DestinationRefused(`host '${bare}' does not resolve`);
    }
  }
  if (addresses.length === 0) throw new DestinationRefused(`host '${bare}' does not resolve`);
  const blocked = addresses.find((a) => isNonPublicAddress(a.address));
  if (blocked && !opts.allowPrivate) {
    throw new DestinationRefused(`host '${bare}' resolves to non-public address ${blocked.address}`);
  }
  return addresses;
}

/** Checks a URL before it is saved; a problem is a 400 naming `body.url`. */
export async function assertWebhookUrl(raw: string, opts: DestinationOptions): Promise<URL> {
  const refuse = (msg: string): never => {
    throw new Invalid(`body.url: ${msg}`, [{ loc: ["body", "url"], msg, type: "value_error" }]);
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("not a URL");
  }
  if (url.protocol !== "https:" && !(opts.allowPrivate && url.protocol === "http:")) refuse("must use https");
  if (url.username || url.password) refuse("must not carry credentials");
  try {
    await resolveDestination(url.hostname, opts);
  } catch (e) {
    if (e instanceof DestinationRefused) refuse(e.message);
    throw e;
  }
  return url;
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup for the connection itself: resolves, checks every address, then connects to a checked one. */
export function guardedLookup(opts: DestinationOptions) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    resolveDestination(hostname, opts).then(
      (addresses) => {
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]?.address ?? "", addresses[0]?.family ?? 4);
      },
      (e: Error) => callback(e, ""),
    );
  };
}
