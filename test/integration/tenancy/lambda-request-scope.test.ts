/**
 * Tenant isolation where the process serves one request at a time (a Lambda environment: the
 * table and IoT scopes live in the process's slot, without async_hooks, shared/table/request-scope.ts):
 * requests of two tenants answer each with its own tenant's data, one after the other and — when
 * the premise fails and they overlap — concurrently, and a tenant session stays fenced to its keys.
 */
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What the Lambda runtime sets; read once when the table client is imported (and given back after
// this file, so a later file in the same worker process runs as local mode does).
const saved = { api: process.env.AWS_LAMBDA_RUNTIME_API, max: process.env.AWS_LAMBDA_MAX_CONCURRENCY };
process.env.AWS_LAMBDA_RUNTIME_API = "127.0.0.1:9001";
delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
afterAll(() => {
  for (const [name, value] of [
    ["AWS_LAMBDA_RUNTIME_API", saved.api],
    ["AWS_LAMBDA_MAX_CONCURRENCY", saved.max],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});
const { call, newTenant } = await import("#test/helpers/api.ts");
const { db, preTenantDb, scopedTenant, tableName, tableScopeKind, withTableScope } = await import(
  "#shared/table/client.ts"
);
const { enterTenantScope } = await import("#shared/tenancy/credentials.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const USERS = "/cloud-integration/security/users";
let a: Tenant;
let b: Tenant;

const usernames = async (t: Tenant): Promise<string[]> => {
  const res = await call("GET", USERS, { token: t.token });
  expect(res.status).toBe(200);
  return (res.body.users as { username: string }[]).map((u) => u.username);
};

beforeAll(async () => {
  // One after the other: the slot is used by each request in turn.
  a = await newTenant("slot-a");
  b = await newTenant("slot-b");
});

describe("one request at a time (the process's slot)", () => {
  it("answers each tenant with its own users only, and leaves no scope behind", async () => {
    const seenByA = await usernames(a);
    const seenByB = await usernames(b);

    expect(tableScopeKind()).toBe("slot");
    expect(seenByA).toEqual([a.username]);
    expect(seenByB).toEqual([b.username]);
    expect(scopedTenant()).toBeUndefined();
  });

  it("fences a tenant session to its own keys", async () => {
    const bKey = { PK: `T#${b.tenantId}`, SK: `X#slot-${randomUUID()}` };
    const aKey = { PK: `T#${a.tenantId}`, SK: `X#slot-${randomUUID()}` };
    await preTenantDb.send(new PutCommand({ TableName: tableName, Item: bKey }));
    await preTenantDb.send(new PutCommand({ TableName: tableName, Item: aKey }));

    const outcome = await withTableScope(async () => {
      await enterTenantScope(a.tenantId, { table: "RO", rateLimit: true });
      const own = await db.send(new GetCommand({ TableName: tableName, Key: aKey }));
      const other = await db.send(new GetCommand({ TableName: tableName, Key: bKey })).catch((e: Error) => e);
      return { own: own.Item, other, tenant: scopedTenant(), kind: tableScopeKind() };
    });

    expect(outcome.kind).toBe("slot");
    expect(outcome.tenant).toBe(a.tenantId);
    expect(outcome.own).toEqual(aKey);
    expect(outcome.other).toMatchObject({ name: "AccessDeniedException" });
  });
});

describe("requests that overlap after all", () => {
  it("keeps them apart: each answers with its own tenant's users, and later scopes are async-local", async () => {
    const rounds = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? usernames(a) : usernames(b))));

    rounds.forEach((seen, i) => {
      expect(seen).toEqual([i % 2 === 0 ? a.username : b.username]);
    });
    expect(tableScopeKind()).toBe("async-local");
  });
});
