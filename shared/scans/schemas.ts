/** Request schemas of the scan routes (gateway spec "Run Security Scan", "Get Scan Results", "Get Scan Progress", and the legacy securenet scan routes). */
import * as z from "zod/mini";
import { COMPONENTS, DEPTHS, SCAN_TYPES } from "./checks.ts";

const Components = z.array(z.enum(COMPONENTS)).check(
  z.minLength(1),
  z.maxLength(COMPONENTS.length),
  z.refine((xs) => new Set(xs).size === xs.length, "must not repeat a component"),
);

/** A retry of the same request with the same token answers the scan the first one started. */
const ClientToken = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[A-Za-z0-9._:-]+$/, { message: "must be 1-128 letters, digits, '.', '_', ':' or '-'" }),
  );

export const ScanBody = z.strictObject({
  scan_type: z._default(z.enum(SCAN_TYPES), "full"),
  components: z._default(Components, [...COMPONENTS]),
  depth: z._default(z.enum(DEPTHS), "standard"),
  schedule: z._default(z.boolean(), false),
  client_token: z.optional(ClientToken),
});
export type ScanBody = z.infer<typeof ScanBody>;

/** Legacy `POST /api/network/scan`: the network and firewall components of the gateway scan. */
export const NetworkScanBody = z.strictObject({
  depth: z._default(z.enum(DEPTHS), "standard"),
  client_token: z.optional(ClientToken),
});

export const ScanIdPath = z.strictObject({
  scan_id: z
    .string()
    .check(z.regex(/^scan-\d{8}-\d{6}-[0-9A-F]{8}$/, { message: "must be a scan id (scan-YYYYMMDD-HHMMSS-XXXXXXXX)" })),
});

export const ResultsQuery = z.strictObject({
  scan_id: z.optional(ScanIdPath.shape.scan_id),
  latest: z._default(z.stringbool(), true),
});
