/**
 * The certificates area's request schemas (gateway spec "Certificate Management"), strict: an
 * unknown field is refused. Every route names its gateway with `gateway_id` (query for GET, body
 * or form field for POST), optional while the tenant has exactly one gateway.
 * POST /certificates/settings and the `certificates` section of POST /settings/save-all share
 * `CertificateSettingsPatch`, so the two can never validate a field differently.
 */
import { isIP } from "node:net";
import * as z from "zod/mini";
import { freeText } from "#shared/kit/text.ts";

const gatewayIdBody = z.optional(z.number().check(z.int(), z.positive()));
const gatewayIdQuery = z.optional(z.coerce.number().check(z.int(), z.positive()));

export const CERTIFICATE_TYPES = ["https", "mqtt"] as const;

/** PEM text as a JSON field: bounded (a chain of a few certificates), no control characters but line breaks. */
const pem = (max: number) => freeText({ max, min: 1, multiline: true });

const DNS = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const sanEntry = z.string().check(
  z.maxLength(253),
  z.refine((v) => isIP(v) !== 0 || DNS.test(v), { message: "must be a DNS name or an IP address" }),
);

export const StatusQuery = z.strictObject({ gateway_id: gatewayIdQuery });

/** The text fields of POST /certificates/upload (multipart; the PEMs are file parts). */
export const UploadFields = z.strictObject({
  type: z.enum(CERTIFICATE_TYPES),
  gateway_id: z.optional(z.coerce.number().check(z.int(), z.positive())),
});

export const SelfSignedBody = z
  .strictObject({
    gateway_id: gatewayIdBody,
    common_name: z.string().check(
      z.minLength(1),
      z.maxLength(64),
      z.refine((v) => DNS.test(v) || isIP(v) !== 0, { message: "must be a DNS name or an IP address" }),
    ),
    organization: z.optional(freeText({ max: 64, min: 1 })),
    organizational_unit: z.optional(freeText({ max: 64, min: 1 })),
    country: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/, { message: "must be a two-letter country code" }))),
    state: z.optional(freeText({ max: 128, min: 1 })),
    locality: z.optional(freeText({ max: 128, min: 1 })),
    valid_days: z._default(z.number().check(z.int(), z.gte(1), z.lte(825)), 365),
    key_size: z._default(z.number().check(z.int()), 2048),
    algorithm: z._default(z.enum(["RSA", "EC"]), "RSA"),
    san: z._default(z.array(sanEntry).check(z.maxLength(50)), []),
    password: z.optional(z.string().check(z.minLength(8), z.maxLength(128))),
  })
  .check(
    z.refine(
      (b) =>
        b.algorithm === "RSA"
          ? b.key_size >= 2048 && b.key_size <= 4096 && b.key_size % 8 === 0
          : [256, 384].includes(b.key_size),
      { message: "key_size: RSA takes 2048-4096 (a multiple of 8), EC takes 256 or 384", path: ["key_size"] },
    ),
  );
export type SelfSignedBody = z.infer<typeof SelfSignedBody>;

export const ValidateBody = z.strictObject({
  gateway_id: gatewayIdBody,
  certificate_type: z._default(z.enum(CERTIFICATE_TYPES), "https"),
  certificate_data: pem(16_384),
  private_key_data: z.optional(pem(16_384)),
  chain_data: z.optional(pem(32_768)),
});

/** What a settings change may set (POST /certificates/settings without `gateway_id`; save-all's section). */
export const CertificateSettingsPatch = z.strictObject({
  auto_renew: z.optional(z.boolean()),
  renewal_days_before_expiry: z.optional(z.number().check(z.int(), z.gte(1), z.lte(90))),
  acme_email: z.optional(z.nullable(z.email().check(z.maxLength(254)))),
  acme_server: z.optional(z.url().check(z.maxLength(512))),
  staging_mode: z.optional(z.boolean()),
  webroot_path: z.optional(
    z.string().check(
      z.maxLength(256),
      z.regex(/^\/[A-Za-z0-9._/-]*$/, { message: "must be an absolute path of A-Z a-z 0-9 . _ - /" }),
      z.refine((p) => !p.split("/").includes(".."), { message: "must not contain '..'" }),
    ),
  ),
  notify_before_expiry: z.optional(z.boolean()),
  notify_days_before: z.optional(z.array(z.number().check(z.int(), z.gte(1), z.lte(90))).check(z.maxLength(10))),
  key_rotation_days: z.optional(z.number().check(z.int(), z.gte(1), z.lte(825))),
});
export type CertificateSettingsPatch = z.infer<typeof CertificateSettingsPatch>;

export const SettingsBody = z.extend(CertificateSettingsPatch, { gateway_id: gatewayIdBody });
/** The `certificates` section of POST /settings/save-all: the same body. */
export const CertificateSettingsSection = SettingsBody;
export type CertificateSettingsSection = z.infer<typeof SettingsBody>;

export const RenewBody = z.strictObject({
  gateway_id: gatewayIdBody,
  certificate_type: z._default(z.enum(CERTIFICATE_TYPES), "https"),
  force: z._default(z.boolean(), false),
});

export const RenewalPath = z.strictObject({
  renewal_id: z.string().check(z.regex(/^RENEW-\d{8}-[0-9A-F]{8}$/, { message: "must be a renewal id (RENEW-…)" })),
});

export const DownloadPath = z.strictObject({ kind: z.enum(["cert", "key", "bundle"]) });
export const DownloadQuery = z.strictObject({
  token: z.string().check(z.regex(/^[A-Za-z0-9_-]{22,64}$/, { message: "must be a download token" })),
});
