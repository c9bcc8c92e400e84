/**
 * The caller's address, for the kit's per-address rate limits, sign-in failure counters and the
 * audit trail. Behind the platform's CloudFront distribution (`-c waf=true`, infra/stacks/edge-stack.ts)
 * API Gateway's source IP is a CloudFront edge server's, shared by many clients; CloudFront then
 * adds `CloudFront-Viewer-Address` (the viewer's `ip:port`). That header is trusted only when the
 * request also carries the distribution's origin secret (`x-warden-origin-verify`, a header
 * CloudFront adds to every origin request and that overrides one a client sends), compared in
 * constant time with `WARDEN_ORIGIN_SECRET`: a caller going around CloudFront to the execute-api
 * endpoint cannot choose the address its limits are counted under. Otherwise: the source IP.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { config } from "./config.ts";

/** The header CloudFront adds with the origin secret (lower case, as the kit sees headers). */
export const ORIGIN_VERIFY_HEADER = "x-warden-origin-verify";
export const VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Constant-time equality (both sides hashed first, so the lengths never leak either). */
function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** `1.2.3.4:443` → `1.2.3.4`; `2001:db8::1:443` → `2001:db8::1`; anything else → undefined. */
export function viewerIp(header: string): string | undefined {
  const at = header.lastIndexOf(":");
  if (at <= 0 || !/^\d{1,5}$/.test(header.slice(at + 1))) return undefined;
  const ip = header.slice(0, at).replace(/^\[(.*)\]$/, "$1");
  return isIP(ip) ? ip : undefined;
}

/**
 * The client's address: the viewer address CloudFront reports, when the request proves it came
 * through the platform's distribution; the API Gateway source IP otherwise.
 */
export function clientAddress(
  headers: Record<string, string | undefined>,
  sourceIp: string,
  originSecret: string | undefined = config.WARDEN_ORIGIN_SECRET,
): string {
  if (!originSecret) return sourceIp;
  const presented = headers[ORIGIN_VERIFY_HEADER];
  const viewer = headers[VIEWER_ADDRESS_HEADER];
  if (presented === undefined || viewer === undefined || !sameSecret(presented, originSecret)) return sourceIp;
  return viewerIp(viewer) ?? sourceIp;
}
