/**
 * Open WebSocket connections, one item each in the tenant's connections partition, with a TTL at
 * API Gateway's two-hour connection limit (a `$disconnect` that never arrived cannot leave one
 * behind for longer):
 *
 *   T#<tenant>#WSCONN / <connection id>     stream, principal, filters, callback endpoint
 *
 * Access patterns: add at `$connect` (PutItem), set the filters at `subscribe` (UpdateItem, only
 * while it exists), remove at `$disconnect` or on 410 Gone (DeleteItem), every connection of a
 * tenant for a fan-out (Query on the partition; never Scan).
 */
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { queryAll, updateIf } from "#shared/table/repo.ts";

/** API Gateway closes a WebSocket connection after two hours at most. */
export const CONNECTION_TTL_SECONDS = 2 * 3600;

const connectionsPk = (tenantId: string) => `${tenantPk(tenantId)}#WSCONN`;
const connectionKey = (tenantId: string, connectionId: string) => ({
  PK: connectionsPk(tenantId),
  SK: connectionId,
});

/** The tenant a tenant-owned partition key belongs to (`T#<tenant>` or `T#<tenant>#…`), from a stream record. */
export function tenantOfPartitionKey(pk: unknown): string | undefined {
  if (typeof pk !== "string") return undefined;
  return /^T#([^#]+)(?:#|$)/.exec(pk)?.[1];
}

export const Filters = z.object({
  /** Event types wanted (events socket) or log types (logs socket); empty = all. */
  types: z._default(z.array(z.string()), []),
  gateway_id: z._default(z.nullable(z.number()), null),
  /** Logs socket: the lowest level wanted. */
  level: z._default(z.nullable(z.string()), null),
});
export type Filters = z.infer<typeof Filters>;

export const ConnectionItem = z.object({
  connectionId: z.string(),
  tenantId: z.string(),
  stream: z.enum(["events", "logs", "notifications"]),
  userId: z.number(),
  username: z.string(),
  /** Set when the connection authenticated with an API key: its display id. */
  apiKeyId: z._default(z.nullable(z.string()), null),
  /** Notifications socket: the addresses (e-mail, phone) whose messages this caller receives. */
  recipients: z._default(z.array(z.string()), []),
  /** Where PostToConnection goes: `https://<api domain>/<stage>` in AWS, the local server locally. */
  endpoint: z.string(),
  filters: Filters,
  connectedAt: z.string(),
});
export type Connection = z.infer<typeof ConnectionItem>;

export async function putConnection(c: Connection): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...connectionKey(c.tenantId, c.connectionId),
        type: "WsConnection",
        ...c,
        expiresAt: Math.floor(Date.parse(c.connectedAt) / 1000) + CONNECTION_TTL_SECONDS,
      },
    }),
  );
}

/** Sets a connection's filters; false when the connection is gone. */
export async function setConnectionFilters(tenantId: string, connectionId: string, filters: Filters): Promise<boolean> {
  const updated = await updateIf({
    key: connectionKey(tenantId, connectionId),
    update: "SET filters = :f",
    values: { ":f": filters },
  });
  return updated !== undefined;
}

export async function deleteConnection(tenantId: string, connectionId: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: tableName, Key: connectionKey(tenantId, connectionId) }));
}

/** Every open connection of a tenant (all streams): one Query on its partition. */
export async function tenantConnections(tenantId: string): Promise<Connection[]> {
  const items = await queryAll({ tenantId, pk: connectionsPk(tenantId), consistent: true });
  const now = Math.floor(Date.now() / 1000);
  return items
    .filter((i) => typeof i.expiresAt !== "number" || i.expiresAt > now)
    .map((i) => ConnectionItem.safeParse(i))
    .flatMap((r) => (r.success ? [r.data] : []));
}
