/**
 * The DynamoDB document clients, instrumented: every command sent is counted by name, so a test
 * can assert how many calls a request made and that none was a Scan.
 *
 * Tenant isolation (README "Tenant isolation"): a request runs inside a table scope (`withTableScope`,
 * opened by the endpoint kit). Until the kit has verified the caller, `db` is the function's own
 * client (`preTenantDb`: its Lambda role, whose table permissions are the pre-tenant needs only).
 * Once the caller is verified, the kit puts the tenant's credentials in the scope (`enterTenant`:
 * STS AssumeRole into the tenant-access role with the session tag `tenant=<id>` and the route's
 * own table statements as the session policy, shared/tenancy/credentials.ts) and from then on `db`
 * signs with them, so repository call sites do not change. Outside a scope (workers, scripts,
 * public routes) `db` is the own client. The fenced scopes share one client, which takes the
 * credentials and policies of each command from its scope (`fencedClient`); the scope itself is
 * request-scope.ts's (no async_hooks promise hooks in a Lambda that serves one request at a time).
 *
 * The tenant client refuses, before sending, any command IAM would refuse the session: the same
 * `dynamodb:LeadingKeys` evaluation (leading-keys.ts) of the tenant's partitions intersected with the
 * route's statements, as an `AccessDeniedException`. In AWS that is a second fence in front of IAM;
 * in local mode and the tests (no IAM in front of DynamoDB Local) it is the fence, so every suite
 * runs the tenant-scoped path.
 *
 * Pre-tenant calls inside a tenant request (an item that is not the tenant's by its key) must name
 * `preTenantDb`; the exceptions are listed in shared/tenancy/credentials.ts.
 */
import { DynamoDBClient, DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { config } from "#shared/kit/config.ts";
import { firstDenied, type TableStatement, touches } from "./leading-keys.ts";
import { RequestScope } from "./request-scope.ts";

export interface DbCallStats {
  total: number;
  byCommand: Record<string, number>;
}

const stats: DbCallStats = { total: 0, byCommand: {} };

/** Calls made since the last reset (per process; tests and the bench reset it around one request). */
export function dbCalls(): DbCallStats {
  return { total: stats.total, byCommand: { ...stats.byCommand } };
}

export function resetDbCalls(): void {
  stats.total = 0;
  stats.byCommand = {};
}

const local = config.DYNAMODB_ENDPOINT !== undefined;

function instrument(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? "Unknown");
      stats.total += 1;
      stats.byCommand[name] = (stats.byCommand[name] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: "wardenCallCounter" },
  );
}

const MARSHALL = { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } };

const base = new DynamoDBClient({
  region: config.AWS_REGION,
  ...(local
    ? {
        endpoint: config.DYNAMODB_ENDPOINT,
        // DynamoDB Local accepts any credentials; fixed ones keep local mode free of an AWS profile.
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }
    : {}),
});
instrument(base);

/**
 * The function's own client (its Lambda role). Inside a tenant request only for the named
 * pre-tenant exceptions (shared/tenancy/credentials.ts lists them); elsewhere through `db`.
 */
export const preTenantDb = DynamoDBDocumentClient.from(base, MARSHALL);

/** Temporary credentials for one tenant, as STS (or the local stand-in) issued them. */
export interface TenantCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** What a tenant scope holds: whose data, the credentials, and the policies they carry. */
export interface TenantAccess {
  tenantId: string;
  credentials: TenantCredentials;
  /**
   * The policies the session's permissions are the intersection of: the tenant-access role's
   * statements for this tenant and the session policy (the route's own table statements).
   */
  policies: readonly (readonly TableStatement[])[];
}

interface Scope {
  tenant?: TenantAccess;
  /** The own role's table statements, where the kit knows them (routes with a verified caller). */
  own?: readonly TableStatement[];
}

/** Async-local where requests run concurrently, the process's slot in a one-request Lambda (request-scope.ts). */
const scopes = new RequestScope<Scope>();

/** Where the next table scope lives: the process's slot (a one-request Lambda) or async-local (tests assert it). */
export const tableScopeKind = (): "slot" | "async-local" => (scopes.usesSlot ? "slot" : "async-local");

/**
 * Runs `fn` in a fresh table scope: `db` is the own client until `enterTenant` is called inside it.
 * With `own`, the own client refuses what those statements (the function's role) do not allow.
 */
export function withTableScope<T>(fn: () => T, own?: readonly TableStatement[]): T {
  return scopes.run(own ? { own } : {}, fn);
}

/** From now on (in this scope), `db` is the tenant's client. Refused outside a scope. */
export function enterTenant(access: TenantAccess): void {
  const scope = scopes.getStore();
  if (!scope) throw new Error("enterTenant outside a table scope");
  scope.tenant = access;
}

/** The tenant whose credentials `db` uses here, if any. */
export function scopedTenant(): string | undefined {
  return scopes.getStore()?.tenant?.tenantId;
}

/** The refusal IAM answers with, raised by the tenant client before the command is sent. */
export class TenantAccessDenied extends DynamoDBServiceException {
  constructor(message: string) {
    super({ name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 }, message });
    Object.setPrototypeOf(this, TenantAccessDenied.prototype);
  }
}

/** Whose credentials sign a fenced client's command, and the policies it is held to. */
interface Fence {
  /** A tenant session's; absent: the own role's (the base client's credentials). */
  credentials?: TenantCredentials;
  policies: readonly (readonly TableStatement[])[];
  who: () => string;
}

/** Builds a client from a tenant's credentials that refuses what its policies do not allow (tests). */
export function tenantClient(access: TenantAccess): DynamoDBDocumentClient {
  const fence: Fence = {
    credentials: access.credentials,
    policies: access.policies,
    who: () => `tenant session '${access.tenantId}'`,
  };
  return fencedClient(() => fence);
}

/** The fence of the current scope: its tenant session's, or the own role's statements. */
function scopeFence(): Fence | undefined {
  const scope = scopes.getStore();
  const tenant = scope?.tenant;
  if (tenant) {
    return {
      credentials: tenant.credentials,
      policies: tenant.policies,
      who: () => `tenant session '${tenant.tenantId}'`,
    };
  }
  return scope?.own ? { policies: [scope.own], who: () => "the function's own role" } : undefined;
}

/** Nothing is allowed through a fenced client outside a fence (a client kept past its scope). */
const NO_FENCE: Fence = { policies: [[]], who: () => "a command outside a table scope" };

/**
 * A DynamoDB client whose every command is signed with the credentials of `fenceOf()` (asked per
 * command, in the command's own request scope) and refused, before it is signed or sent, when its
 * policies do not allow it — the check IAM makes of the session, as an `AccessDeniedException`.
 */
function fencedClient(fenceOf: () => Fence | undefined): DynamoDBDocumentClient {
  const own = base.config.credentials;
  // `memoized`: the SDK calls this per command instead of caching the first identity it returns.
  const credentials = Object.assign(
    async (options?: Record<string, unknown>) => (fenceOf() ?? NO_FENCE).credentials ?? own(options),
    { memoized: true },
  );
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(local ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    credentials,
    // One connection pool per container, whoever's credentials sign the request.
    requestHandler: base.config.requestHandler,
  });
  instrument(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? "Unknown");
      const fence = fenceOf() ?? NO_FENCE;
      const denied = firstDenied(touches(command, args.input as Record<string, unknown>), fence.policies);
      if (denied) {
        throw new TenantAccessDenied(
          `${fence.who()} is not authorized to perform ${denied.action} on partition ` +
            `${denied.key === undefined ? "(none named)" : `'${denied.key}'`}`,
        );
      }
      return next(args);
    },
    // After the document client has marshalled the input, before anything is signed or sent.
    { step: "build", name: "wardenTenantFence" },
  );
  return DynamoDBDocumentClient.from(client, MARSHALL);
}

/**
 * One client for every fenced scope of the container — each tenant session and the own role held
 * to its statements —, taking credentials and policies from the scope per command: a tenant's
 * first request in a container builds no client, resolves no client configuration and no endpoint
 * anew (one client per session did, on every cold start and every new tenant).
 */
let scopedClient: DynamoDBDocumentClient | undefined;

function current(): DynamoDBDocumentClient {
  const scope = scopes.getStore();
  if (!scope?.tenant && !scope?.own) return preTenantDb;
  scopedClient ??= fencedClient(scopeFence);
  return scopedClient;
}

/**
 * The client repositories use: the tenant's inside a tenant scope, the function's own elsewhere.
 */
export const db: DynamoDBDocumentClient = new Proxy(preTenantDb, {
  get(_target, property) {
    const client = current();
    const value = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

export const tableName = config.TABLE_NAME;
