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
 * is a client built from them, so repository call sites do not change. Outside a scope (workers,
 * scripts, public routes) `db` is the own client.
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
import { AsyncLocalStorage } from "node:async_hooks";
import { DynamoDBClient, DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { config } from "#shared/kit/config.ts";
import { firstDenied, type TableStatement, touches } from "./leading-keys.ts";

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

const scopes = new AsyncLocalStorage<Scope>();

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

/** Builds a client from a tenant's credentials that refuses what its policies do not allow. */
export function tenantClient(access: TenantAccess): DynamoDBDocumentClient {
  return fencedClient(access.credentials, access.policies, `tenant session '${access.tenantId}'`);
}

function fencedClient(
  credentials: TenantCredentials | undefined,
  policies: readonly (readonly TableStatement[])[],
  who: string,
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(local ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    // The own role's: the base client's (fixed ones locally, the Lambda role's in AWS).
    credentials: credentials ?? base.config.credentials,
    // One connection pool per container, whoever's credentials sign the request.
    requestHandler: base.config.requestHandler,
  });
  instrument(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? "Unknown");
      const denied = firstDenied(touches(command, args.input as Record<string, unknown>), policies);
      if (denied) {
        throw new TenantAccessDenied(
          `${who} is not authorized to perform ${denied.action} on partition ` +
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

/** The own client fenced by the own role's statements, per statement set (one per route). */
const ownClients = new Map<string, DynamoDBDocumentClient>();

function ownClientFor(own: readonly TableStatement[]): DynamoDBDocumentClient {
  const id = JSON.stringify(own);
  let client = ownClients.get(id);
  if (!client) {
    client = fencedClient(undefined, [own], "the function's own role");
    ownClients.set(id, client);
  }
  return client;
}

/** Clients per tenant session (its credentials), per container; a refreshed session gets a new client. */
const clients = new Map<string, DynamoDBDocumentClient>();
const CLIENTS_MAX = 100;

function clientFor(access: TenantAccess): DynamoDBDocumentClient {
  const id = access.credentials.accessKeyId;
  const cached = clients.get(id);
  if (cached) return cached;
  const client = tenantClient(access);
  if (clients.size >= CLIENTS_MAX) clients.delete(clients.keys().next().value ?? "");
  clients.set(id, client);
  return client;
}

function current(): DynamoDBDocumentClient {
  const scope = scopes.getStore();
  if (scope?.tenant) return clientFor(scope.tenant);
  return scope?.own ? ownClientFor(scope.own) : preTenantDb;
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
