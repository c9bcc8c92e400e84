/**
 * The shape of a row of the route table (`infra/routes.ts`), and the one helper the route files
 * write their rows with. Kept free of CDK: the build puts each function's own row into its bundle
 * (infra/build.ts), local mode and the tests hand rows to the same endpoints.
 */
import type { TokenRestriction } from "#shared/auth/tokens.ts";
import type { RateClass } from "#shared/tenancy/rate-limit.ts";
import type { Surface } from "./envelopes.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a function may touch in AWS, beyond writing its logs: the CDK grants exactly this. */
export interface Access {
  table?: "RO" | "RW";
  /**
   * Maintain the tenant's audit trail beyond appending to it (needs `table: "RW"` and a permission):
   * move the verification anchor in the chain head (UpdateItem on `T#<t>#AUDIT`) and delete
   * records (DeleteItem on `T#<t>#AUDIT#<day>`). Without it a route's tenant session can only
   * append a record: it cannot alter, remove or re-link one (shared/tenancy/credentials.ts). Only
   * the gateway spec's "Clear Audit Log" declares it.
   */
  auditMaintenance?: boolean;
  /** Sign access tokens with the JWT key. */
  jwtSign?: boolean;
  /** Read the JWT key's public half without authenticating callers (the JWKS route). */
  jwtPublicKey?: boolean;
  /** Envelope-encrypt or decrypt secrets with the data key. */
  dataKey?: "encrypt" | "decrypt" | "both";
  /**
   * The IoT registry. "register": create a thing and its certificate, attach the gateway policy
   * (and undo those steps when one fails); "deregister": detach, deactivate and delete only.
   */
  iotRegistry?: "register" | "deregister";
  /** Read and write device shadows. */
  iotShadows?: boolean;
  /** Read device shadows only (GetThingShadow): what the gateways report, never a write. */
  iotShadowsRead?: boolean;
  /** Publish to device topics (e.g. commands to a gateway). */
  iotPublish?: boolean;
  /** Sends user notifications: SES e-mail and SNS SMS when the app is deployed with `-c notifier=aws`. */
  notify?: boolean;
  /**
   * Step Functions: "start" starts executions of Warden's state machines; "complete" answers their
   * task tokens (a gateway's report completes a waiting step); "both".
   */
  workflows?: "start" | "complete" | "both";
  /** Per-tenant files in the blob bucket (shared/blobs): read, or read and write/delete. */
  blobs?: "RO" | "RW";
  /**
   * Read the payment provider's secret (Stripe keys, prices, meters) from Secrets Manager: only the
   * functions that talk to Stripe, and only when the deployment names a secret (`-c stripeSecretArn`).
   */
  paymentSecrets?: boolean;
  /**
   * Invoke the Amazon Bedrock model the insights summary writes with — only when the deployment
   * names one (`-c bedrockModelId`); otherwise the function gets neither the permission nor the id.
   */
  summariserModel?: boolean;
  /**
   * STS AssumeRole into a customer's read-only scan role (cloud scans with `role_arn`): any account's
   * role, only with an external id, never a role of the platform's own account.
   */
  assumeCustomerRoles?: boolean;
  /**
   * Cloud scans of the platform's own account with the scanner's own role (`credentials:
   * {"platform": true}`), only when the deployment names the tenants allowed (`-c
   * platformScanTenants`): "gate" learns that list (WARDEN_PLATFORM_SCAN_TENANTS) to answer who may
   * (and, on sign-up, to refuse creating a listed id);
   * "collect" also gets the collectors' read-only calls on the platform's account
   * (shared/posture/adapters/aws-permissions.ts). Without the option neither is granted.
   */
  platformAccountScan?: "gate" | "collect";
  /**
   * EventBridge Scheduler: create, update and delete the tenants' scan schedules in this
   * deployment's schedule group, passing only the scan scheduler role.
   */
  scanSchedules?: boolean;
}

export interface RouteDef {
  method: HttpMethod | "WEBSOCKET";
  /** API Gateway path with `{param}` placeholders, exactly as the spec writes it. */
  path: string;
  /**
   * Module under the repository root. An HTTP route's module exports `endpoint` (built with
   * `defineEndpoint`, shared/kit/endpoint.ts) for this row's method and path.
   */
  handler: string;
  /** Permission required; `null` for public routes, "authenticated" for any signed-in caller. */
  permission: string | null;
  surface: Surface;
  rateClass: RateClass;
  access: Access;
  /** Audit event name written for this route's mutations (and auth events). */
  audit?: { event: string; eventType: string };
  /**
   * Routes a signed-in user may still call during an emergency system lock that locks users:
   * unlock itself, sign-out, 2FA enrolment (so an admin of a tenant enforcing 2FA can unlock), and
   * finding and revoking API keys (an attacker's key must be revocable while everything is locked).
   */
  allowDuringSystemLock?: boolean;
  /**
   * The only route API keys may still call while a lock locks the API (`lock_api`): unlock. Every
   * other route refuses API keys during such a lock, `allowDuringSystemLock` or not.
   */
  allowApiKeysDuringSystemLock?: boolean;
  /**
   * Restricted tokens (a sign-in that must first change its password or enrol a second factor)
   * are refused everywhere except on routes that name their restriction here: the way out of the
   * restriction, reading one's own identity, and signing out.
   */
  allowRestrictedTokens?: readonly TokenRestriction[];
  /** A POST that computes and stores nothing (test-password): exempt from the audit requirement. */
  changesNothing?: boolean;
  /** Request body handling: JSON (default), multipart form data, or raw (webhooks verify signatures over raw bytes). */
  body?: "json" | "multipart" | "raw";
  /**
   * A legacy route kept for backward compatibility: every answer carries `Deprecation` (RFC 9745)
   * and `Link: <successor>; rel="successor-version"` (RFC 8594), and the OpenAPI operation is
   * marked deprecated.
   */
  deprecated?: Deprecation;
}

export interface Deprecation {
  /** When the route became deprecated (ISO date): `Deprecation: @<unix seconds>`. */
  since: string;
  /** The route that replaces it, as a path a client can call (e.g. "/api/v1/scan/scans"). */
  successor: string;
}

/** The headers a deprecated route answers with (see `RouteDef.deprecated`). */
export function deprecationHeaders(d: Deprecation): Record<string, string> {
  return {
    Deprecation: `@${Math.floor(Date.parse(d.since) / 1000)}`,
    Link: `<${d.successor}>; rel="successor-version"`,
  };
}

export const routeKey = (r: Pick<RouteDef, "method" | "path">): string => `${r.method} ${r.path}`;

/** `functions/securenet/auth/login.ts` → `securenet-auth-login`: the function's id in CDK and dist/. */
export const functionId = (handler: string): string =>
  handler
    .replace(/^functions\//, "")
    .replace(/\.ts$/, "")
    .replace(/[^A-Za-z0-9]+/g, "-");

/** What a route file's rows share: surface, a path prefix and defaults for the rest. */
export interface RouteGroup {
  surface: Surface;
  /** Prefix of every path in the group, e.g. "/cloud-integration/security". */
  base?: string;
  rateClass?: RateClass;
}

export type RowInput = Omit<RouteDef, "surface" | "rateClass"> & Partial<Pick<RouteDef, "rateClass">>;

/** The one row helper: `const row = rows({surface: "gateway", base})` then `row({method, path, …})`. */
export function rows(group: RouteGroup): (r: RowInput) => RouteDef {
  return (r) => ({
    ...r,
    surface: group.surface,
    rateClass: r.rateClass ?? group.rateClass ?? "general",
    path: `${group.base ?? ""}${r.path}`,
  });
}
