/**
 * The error bodies of each surface as zod schemas — what `renderError` (envelopes.ts) writes — and
 * the success envelope of the securenet surface. For the OpenAPI document and the contract tests
 * only: no handler imports this file, so it stays out of the function bundles.
 */
import * as z from "zod/mini";
import type { Surface } from "./envelopes.ts";
import type { ErrorCode } from "./errors.ts";

const ERROR_CODES = [
  "VALIDATION_ERROR",
  "AUTHENTICATION_FAILED",
  "AUTHORIZATION_DENIED",
  "RESOURCE_NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMIT_EXCEEDED",
  "SUBSCRIPTION_LIMIT_EXCEEDED",
  "SYSTEM_LOCKED",
  "INTERNAL_SERVER_ERROR",
  "SERVICE_UNAVAILABLE",
] as const satisfies readonly ErrorCode[];

const code = z.enum(ERROR_CODES);
const timestamp = z.iso.datetime({ offset: true });
const fieldIssue = z.strictObject({
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
  type: z.string(),
});

/** gateway and platform: `{error, message, details?, request_id?}`. */
export const GatewayError = z
  .strictObject({
    error: code,
    message: z.string(),
    details: z.optional(
      z.array(
        z.strictObject({ field: z.string().check(z.describe('"body.email"')), message: z.string(), type: z.string() }),
      ),
    ),
    request_id: z.optional(z.string().check(z.describe("On 5xx only: quote it to the operator"))),
    hint: z.optional(z.string()),
  })
  .check(z.meta({ id: "GatewayError" }));

/** securenet: `{status: "error", error: {code, message, details?}, timestamp}`. */
export const SecurenetError = z
  .strictObject({
    status: z.literal("error"),
    error: z.strictObject({
      code,
      message: z.string(),
      details: z.optional(z.array(fieldIssue)),
      hint: z.optional(z.string()),
    }),
    request_id: z.optional(z.string()),
    timestamp,
  })
  .check(z.meta({ id: "SecurenetError" }));

/** cloudsentinel (FastAPI style): `{detail: "…"}`, or `{detail: [issues]}` on 422. */
export const CloudsentinelError = z
  .strictObject({
    detail: z.union([z.string(), z.array(fieldIssue)]),
    request_id: z.optional(z.string()),
    hint: z.optional(z.string()),
  })
  .check(z.meta({ id: "CloudsentinelError" }));

/** grc: `{error, details}`. */
export const GrcError = z
  .strictObject({ error: z.string(), details: z.string(), hint: z.optional(z.string()) })
  .check(z.meta({ id: "GrcError" }));

export const ERROR_BODIES: Record<Surface, z.core.$ZodType> = {
  gateway: GatewayError,
  platform: GatewayError,
  securenet: SecurenetError,
  cloudsentinel: CloudsentinelError,
  grc: GrcError,
};

/** The securenet surface wraps every success in `{status: "success", data, timestamp}`. */
export function securenetSuccess(data: z.core.$ZodType) {
  return z.strictObject({ status: z.literal("success"), data, timestamp });
}
