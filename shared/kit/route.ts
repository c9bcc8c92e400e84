/** The shape of a row of the route table. Kept free of CDK so Lambda bundles can import it. */

import type { RateClass } from "#shared/tenancy/rate-limit.ts";
import type { Surface } from "./envelopes.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a function may touch in AWS, beyond writing its logs: the CDK grants exactly this. */
export interface Access {
  table?: "RO" | "RW";
  /** Sign access tokens with the JWT key. */
  jwtSign?: boolean;
  /** Read the JWT key's public half without authenticating callers (the JWKS route). */
  jwtPublicKey?: boolean;
  /** Envelope-encrypt or decrypt secrets with the data key. */
  dataKey?: "encrypt" | "decrypt" | "both";
  /** Create and delete IoT things, certificates and policies. */
  iotRegistry?: boolean;
  /** Read and write device shadows. */
  iotShadows?: boolean;
  /** Publish to device topics (e.g. commands to a gateway). */
  iotPublish?: boolean;
  /** Sends user notifications: SES e-mail and SNS SMS when the app is deployed with `-c notifier=aws`. */
  notify?: boolean;
}

export interface RouteDef {
  method: HttpMethod | "WEBSOCKET";
  /** API Gateway path with `{param}` placeholders, exactly as the spec writes it. */
  path: string;
  /** Module under the repository root that exports `handler`. */
  handler: string;
  /** Permission required; `null` for public routes, "authenticated" for any signed-in caller. */
  permission: string | null;
  surface: Surface;
  rateClass: RateClass;
  access: Access;
  /** Audit event name written for this route's mutations (and auth events). */
  audit?: { event: string; eventType: string };
  /** Routes that must keep working during an emergency system lock (unlock itself, health). */
  allowDuringSystemLock?: boolean;
  /** A POST that computes and stores nothing (test-password): exempt from the audit requirement. */
  changesNothing?: boolean;
  /** Request body handling: JSON (default), multipart form data, or raw (webhooks verify signatures over raw bytes). */
  body?: "json" | "multipart" | "raw";
}

export const routeKey = (r: Pick<RouteDef, "method" | "path">): string => `${r.method} ${r.path}`;

/** `functions/securenet/auth/login.ts` → `securenet-auth-login`: the function's id in CDK and dist/. */
export const functionId = (handler: string): string =>
  handler
    .replace(/^functions\//, "")
    .replace(/\.ts$/, "")
    .replace(/[^A-Za-z0-9]+/g, "-");

/** The environment variable through which a deployed function receives its own route row (see infra/build.ts). */
export const ROUTE_ENV = "WARDEN_ROUTE";
