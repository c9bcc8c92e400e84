/**
 * Tenant-scoped credentials: a client built for tenant A's session is refused, before anything is
 * sent, on every command that touches tenant B's partitions (the `dynamodb:LeadingKeys` evaluation
 * shipped in shared/table/leading-keys.ts, the same policies IAM evaluates for the session), and
 * reaches A's own items in DynamoDB Local. A read-only route's session (the scope-down) cannot
 * write even A's items. `db` is the tenant's client inside the scope the kit enters, the own client
 * outside it; credentials are issued once per tenant and route and re-used until near expiry.
 */
import { randomUUID } from "node:crypto";
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { db, preTenantDb, scopedTenant, tableName, tenantClient, withTableScope } from "#shared/table/client.ts";
import { firstDenied, stringLike, touches } from "#shared/table/leading-keys.ts";
import { localIssued } from "#shared/tenancy/adapters/local-sts.ts";
import {
  enterTenantScope,
  routeTableStatements,
  tenantAccessStatements,
  tenantCredentials,
  useCredentialIssuer,
} from "#shared/tenancy/credentials.ts";

const A = `ta-${randomUUID().slice(0, 8)}`;
const B = `tb-${randomUUID().slice(0, 8)}`;

const session = (tenantId: string, table: "RO" | "RW") => {
  const statements = routeTableStatements({ table, rateLimit: true });
  return tenantClient({
    tenantId,
    credentials: {
      accessKeyId: `K${randomUUID().replaceAll("-", "")}`,
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: new Date(),
    },
    policies: [tenantAccessStatements(tenantId), statements],
  });
};

const denied = (p: Promise<unknown>) =>
  expect(p).rejects.toMatchObject({ name: "AccessDeniedException", $fault: "client" });

describe("a tenant session's client", () => {
  const a = session(A, "RW");

  it("reads and writes its own tenant's partitions (root and sub-partitions) in DynamoDB Local", async () => {
    await a.send(new PutCommand({ TableName: tableName, Item: { PK: `T#${A}`, SK: "X#1", v: 1 } }));
    await a.send(new PutCommand({ TableName: tableName, Item: { PK: `T#${A}#SUB`, SK: "X#2", v: 2 } }));

    const got = await a.send(new GetCommand({ TableName: tableName, Key: { PK: `T#${A}`, SK: "X#1" } }));
    const sub = await a.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": "PK" },
        ExpressionAttributeValues: { ":pk": `T#${A}#SUB` },
      }),
    );

    expect(got.Item?.v).toBe(1);
    expect(sub.Items?.map((i) => i.v)).toEqual([2]);
  });

  it("is refused on tenant B's keys: Get, Put, Update, Query, BatchGet, TransactWrite", async () => {
    const bKey = { PK: `T#${B}`, SK: "X#1" };
    await preTenantDb.send(new PutCommand({ TableName: tableName, Item: { ...bKey, secret: "b" } }));

    await denied(a.send(new GetCommand({ TableName: tableName, Key: bKey })));
    await denied(a.send(new PutCommand({ TableName: tableName, Item: { ...bKey, secret: "overwritten" } })));
    await denied(
      a.send(
        new UpdateCommand({
          TableName: tableName,
          Key: bKey,
          UpdateExpression: "SET secret = :s",
          ExpressionAttributeValues: { ":s": "x" },
        }),
      ),
    );
    await denied(
      a.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": `T#${B}` },
        }),
      ),
    );
    // One foreign key among own ones refuses the whole batch or transaction (ForAllValues).
    await denied(
      a.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [{ PK: `T#${A}`, SK: "X#1" }, bKey] } } })),
    );
    await denied(
      a.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { PK: `T#${A}`, SK: "X#3" } } },
            { Delete: { TableName: tableName, Key: bKey } },
          ],
        }),
      ),
    );

    const b = await preTenantDb.send(new GetCommand({ TableName: tableName, Key: bKey }));
    expect(b.Item?.secret).toBe("b");
    const a3 = await preTenantDb.send(new GetCommand({ TableName: tableName, Key: { PK: `T#${A}`, SK: "X#3" } }));
    expect(a3.Item).toBeUndefined();
  });

  it("is refused on a tenant whose id extends A's, on a GSI query of B's partition, and on a Scan", async () => {
    await denied(a.send(new GetCommand({ TableName: tableName, Key: { PK: `T#${A}x`, SK: "X#1" } })));
    await denied(
      a.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :pk",
          ExpressionAttributeValues: { ":pk": `T#${B}#GRC#RISK` },
        }),
      ),
    );
    await denied(a.send(new ScanCommand({ TableName: tableName })));
  });

  it("of a read-only route reads its tenant's items but writes only its rate windows and audit trail", async () => {
    const ro = session(A, "RO");

    const got = await ro.send(new GetCommand({ TableName: tableName, Key: { PK: `T#${A}`, SK: "X#1" } }));
    await denied(ro.send(new PutCommand({ TableName: tableName, Item: { PK: `T#${A}`, SK: "X#9" } })));
    await ro.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { PK: `T#${A}#RL`, SK: "test#0" },
        UpdateExpression: "ADD n :one",
        ExpressionAttributeValues: { ":one": 1 },
      }),
    );
    await denied(
      ro.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: `T#${B}#RL`, SK: "test#0" },
          UpdateExpression: "ADD n :one",
          ExpressionAttributeValues: { ":one": 1 },
        }),
      ),
    );

    expect(got.Item?.v).toBe(1);
  });
});

describe("the policy evaluation", () => {
  it("reads the partition key of every item a command names, marshalled or not", () => {
    expect(touches("GetItemCommand", { Key: { PK: { S: "T#a" }, SK: { S: "x" } } })).toEqual([
      { action: "dynamodb:GetItem", key: "T#a" },
    ]);
    expect(
      touches("TransactWriteItemsCommand", {
        TransactItems: [{ ConditionCheck: { Key: { PK: "G#LOGIN#x" } } }, { Update: { Key: { PK: "T#a" } } }],
      }),
    ).toEqual([
      { action: "dynamodb:ConditionCheckItem", key: "G#LOGIN#x" },
      { action: "dynamodb:UpdateItem", key: "T#a" },
    ]);
  });

  it("matches StringLike patterns like IAM (wildcards, no regex), and refuses a key it cannot read", () => {
    expect(stringLike("T#a#*", "T#a#AUDIT")).toBe(true);
    expect(stringLike("T#a#*", "T#ab#AUDIT")).toBe(false);
    expect(stringLike("T#a", "T#a.")).toBe(false);
    expect(stringLike("T#?#RL", "T#a#RL")).toBe(true);
    const policies = [tenantAccessStatements("a")];
    expect(firstDenied([{ action: "dynamodb:Query", key: undefined }], policies)).toBeDefined();
    expect(firstDenied([{ action: "dynamodb:Query", key: "T#a" }], policies)).toBeUndefined();
  });
});

describe("the table scope", () => {
  afterEach(() => useCredentialIssuer(undefined));

  it("makes `db` the tenant's client after enterTenantScope, and the own client outside", async () => {
    const bKey = { PK: `T#${B}`, SK: "X#scope" };
    await preTenantDb.send(new PutCommand({ TableName: tableName, Item: bKey }));

    const inside = await withTableScope(async () => {
      const before = await db.send(new GetCommand({ TableName: tableName, Key: bKey }));
      await enterTenantScope(A, { table: "RW", rateLimit: true });
      const after = db.send(new GetCommand({ TableName: tableName, Key: bKey }));
      return { before, after, tenant: scopedTenant() };
    });

    expect(inside.before.Item).toEqual(bKey);
    await denied(inside.after);
    expect(inside.tenant).toBe(A);
    expect(scopedTenant()).toBeUndefined();
    expect((await db.send(new GetCommand({ TableName: tableName, Key: bKey }))).Item).toEqual(bKey);
  });

  it("issues credentials once per tenant and session policy, and again when they near expiry", async () => {
    const issued: { tenantId: string; sessionPolicy: string }[] = [];
    let expiresIn = 900_000;
    useCredentialIssuer({
      async issue({ tenantId, sessionPolicy }) {
        issued.push({ tenantId, sessionPolicy });
        return {
          accessKeyId: `K${issued.length}`,
          secretAccessKey: "s",
          sessionToken: "t",
          expiration: new Date(Date.now() + expiresIn),
        };
      },
    });

    const first = await tenantCredentials(A, "p1");
    const again = await tenantCredentials(A, "p1");
    const otherRoute = await tenantCredentials(A, "p2");
    const otherTenant = await tenantCredentials(B, "p1");
    expiresIn = 60_000; // the next ones are issued near their end
    await tenantCredentials(A, "p3");
    await tenantCredentials(A, "p3");

    expect(again).toBe(first);
    expect(otherRoute.accessKeyId).not.toBe(first.accessKeyId);
    expect(otherTenant.accessKeyId).not.toBe(first.accessKeyId);
    expect(issued.map((i) => `${i.tenantId}|${i.sessionPolicy}`)).toEqual([
      `${A}|p1`,
      `${A}|p2`,
      `${B}|p1`,
      `${A}|p3`,
      `${A}|p3`,
    ]);
  });

  it("asks the issuer for a session tagged with the tenant whose policy is the route's table statements", async () => {
    const before = localIssued.count;
    let policy = "";
    useCredentialIssuer({
      async issue({ sessionPolicy }) {
        policy = sessionPolicy;
        return { accessKeyId: "K", secretAccessKey: "s", sessionToken: "t", expiration: new Date(Date.now() + 9e5) };
      },
    });

    await withTableScope(() => enterTenantScope(A, { table: "RO", rateLimit: true }));

    const statements = JSON.parse(policy).Statement as { Action: string[]; Condition?: unknown }[];
    expect(statements[0]?.Action).toEqual(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]);
    expect(statements.slice(1).every((s) => s.Condition !== undefined)).toBe(true);
    expect(localIssued.count).toBe(before);
  });
});
