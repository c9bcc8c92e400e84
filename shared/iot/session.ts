/**
 * Tenant sessions on the IoT side (issue 17 item 1). Inside a request the endpoint kit has
 * verified, the kit enters the caller's tenant here (shared/tenancy/credentials.ts
 * `enterTenantScope`), with the same STS credentials the table client uses: the tenant-access role
 * allows the thing actions only on `thing/warden_${aws:PrincipalTag/tenant}_*` and the session
 * policy narrows them to the route's own. From then on the shadow and registry adapters sign the
 * thing calls with those credentials and refuse, before sending, any thing outside the tenant's
 * pattern or any action the session does not hold (`AccessDeniedException`, as IAM answers): in AWS
 * a second fence in front of IAM, locally (where IoT Core is a stand-in without IAM) the fence,
 * together with the local data plane's own check of the session token.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { isTenantThing } from "./policy.ts";

export interface IotCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface IotTenantAccess {
  tenantId: string;
  credentials: IotCredentials;
  /** The thing actions of the session (the route's, intersected with the tenant-access role's). */
  actions: readonly string[];
}

interface Scope {
  tenant?: IotTenantAccess;
}

/** Where the scope of the current request lives (see `useIotScopeStore`). */
export interface IotScopeStore {
  run<T>(store: Scope, fn: () => T): T;
  getStore(): Scope | undefined;
}

let scopes: IotScopeStore = new AsyncLocalStorage<Scope>();

/**
 * Puts the IoT scopes in `store`: the tenancy module (shared/tenancy/credentials.ts) gives the
 * request scope the table uses (shared/table/request-scope.ts: the process's slot in a Lambda that
 * serves one request at a time, `AsyncLocalStorage` elsewhere), so a request pays no promise hooks
 * for it. Until then (a script, a unit test of this module alone), an `AsyncLocalStorage`.
 */
export function useIotScopeStore(store: IotScopeStore): void {
  scopes = store;
}

/** Runs `fn` in a fresh IoT scope: the function's own credentials until `enterIotTenant` inside it. */
export function withIotScope<T>(fn: () => T): T {
  return scopes.run({}, fn);
}

/** From now on (in this scope) thing calls use the tenant's session. Refused outside a scope. */
export function enterIotTenant(access: IotTenantAccess): void {
  const scope = scopes.getStore();
  if (!scope) throw new Error("enterIotTenant outside an IoT scope");
  scope.tenant = access;
}

/** The tenant session thing calls run under here, if any. */
export function iotTenant(): IotTenantAccess | undefined {
  return scopes.getStore()?.tenant;
}

/** What IAM answers a session that may not touch the thing; raised before the call is sent. */
export class IotAccessDenied extends Error {
  override name = "AccessDeniedException";
  readonly $fault = "client";
  readonly $metadata = { httpStatusCode: 403 };
}

/**
 * Refuses `action` on `thingName` unless the session allows it: the action is the session's, and
 * the thing is one of its tenant's (`warden_<tenant>_…`). Outside a tenant session, nothing to check.
 */
export function checkThingAccess(action: string, thingName: string, access = iotTenant()): void {
  if (!access) return;
  if (!access.actions.includes(action) || !isTenantThing(access.tenantId, thingName)) {
    throw new IotAccessDenied(
      `tenant session '${access.tenantId}' is not authorized to perform ${action} on thing '${thingName}'`,
    );
  }
}

/** A local session token (shared/tenancy/adapters/local-sts.ts) names its tenant tag; AWS tokens are opaque. */
export function localSessionTenant(sessionToken: string | undefined): string | undefined {
  if (!sessionToken) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(sessionToken, "base64url").toString("utf8")) as {
      tags?: { tenant?: unknown };
    };
    return typeof decoded.tags?.tenant === "string" ? decoded.tags.tenant : undefined;
  } catch {
    return undefined;
  }
}
