/**
 * Route functions cannot write the audit trail except by the append (issue 16 item 4): a request's
 * tenant session (the kit's `enterTenantScope`, evaluated locally by the policy evaluation Warden
 * ships, the same statements IAM gets) may add a record to its own tenant's trail, and is refused
 * (AccessDenied, before anything is sent) an UpdateItem, a DeleteItem, an overwriting PutItem or a
 * transaction touching a record, the chain head or a checkpoint — while it still writes the rest of
 * its tenant's data. The one named exception, the clear route, may move the anchor and delete records.
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";
import { type AuditEntry, appendAudit, auditKeys, auditRecordKey, linkAuditChain } from "#shared/audit/db/trail.ts";
import { routeKey } from "#shared/kit/route.ts";
import { db, preTenantDb, tableName, withTableScope } from "#shared/table/client.ts";
import { enterTenantScope } from "#shared/tenancy/credentials.ts";

const CLEAR = "POST /cloud-integration/security/audit/clear";
const RULES_ADD = "POST /cloud-integration/security/firewall/rules/add";
const entry: AuditEntry = {
  event: "Rule Added",
  eventType: "firewall_rule_added",
  resource: "/api/firewall/rules/1",
  status: "success",
  user: "admin",
};

/**
 * Runs `fn` as a route's request does after authentication: inside the tenant's session, with the
 * table access its row in the route table declares.
 */
const asRoute = <T>(tenantId: string, key: string, fn: () => Promise<T>) =>
  withTableScope(async () => {
    const row = routes.find((r) => routeKey(r) === key);
    if (!row) throw new Error(`no route ${key}`);
    const { table, auditMaintenance } = row.access;
    await enterTenantScope(tenantId, { table, rateLimit: true, auditMaintenance });
    return fn();
  });

const denied = (p: Promise<unknown>) =>
  expect(p).rejects.toMatchObject({ name: "AccessDeniedException", $fault: "client" });

async function linkedRecord() {
  const tenantId = `acl-${randomUUID().slice(0, 8)}`;
  // The append from a read-write route's session: allowed.
  const [record] = await asRoute(tenantId, RULES_ADD, () => appendAudit(tenantId, [entry]));
  if (!record) throw new Error("no record appended");
  await linkAuditChain(tenantId); // the linker, with its own role
  return { tenantId, record, key: auditRecordKey(tenantId, record) };
}

describe("a read-write route's tenant session and the audit trail", () => {
  it("appends a record, and is refused updating, deleting or overwriting it, or touching the head", async () => {
    const { tenantId, record, key } = await linkedRecord();
    const route = RULES_ADD;

    await asRoute(tenantId, route, async () => {
      await denied(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: "SET resource = :r",
            ExpressionAttributeValues: { ":r": "/tampered" },
          }),
        ),
      );
      await denied(db.send(new DeleteCommand({ TableName: tableName, Key: key })));
      // An overwrite carrying a chain field is not an append (the attributes are a record's own only).
      await denied(db.send(new PutCommand({ TableName: tableName, Item: { ...key, ...record, seq: 1 } })));
      await denied(
        db.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: tableName, Key: key } }] })),
      );
      await denied(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: auditKeys.head(tenantId),
            UpdateExpression: "SET seq = :s",
            ExpressionAttributeValues: { ":s": 0 },
          }),
        ),
      );
      // The rest of its tenant's data (an archive included) stays writable.
      await db.send(new PutCommand({ TableName: tableName, Item: { PK: `T#${tenantId}`, SK: "X#1" } }));
      await db.send(new PutCommand({ TableName: tableName, Item: { PK: `T#${tenantId}#AUDITARCHIVE#a`, SK: "META" } }));
    });

    const stored = await preTenantDb.send(new GetCommand({ TableName: tableName, Key: key }));
    expect(stored.Item).toMatchObject({ id: record.id, resource: record.resource, seq: 1 });
  });

  it("lets the named clear route move the anchor and delete a record, and nothing else on the trail", async () => {
    const { tenantId, key } = await linkedRecord();
    // The clear is the one row of the route table that declares audit maintenance.
    expect(routes.filter((r) => r.access.auditMaintenance).map(routeKey)).toEqual([CLEAR]);

    await asRoute(tenantId, CLEAR, async () => {
      // Updating a record stays refused even here: the clear removes, it never edits.
      await denied(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: "SET resource = :r",
            ExpressionAttributeValues: { ":r": "/tampered" },
          }),
        ),
      );
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: auditKeys.head(tenantId),
          UpdateExpression: "SET archivedThrough = :a",
          ExpressionAttributeValues: { ":a": { seq: 1, hash: "x", day: "2026-01-01" } },
        }),
      );
      await db.send(new DeleteCommand({ TableName: tableName, Key: key }));
    });

    expect((await preTenantDb.send(new GetCommand({ TableName: tableName, Key: key }))).Item).toBeUndefined();
  });
});
