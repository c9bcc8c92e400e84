/**
 * The local outbox: the notifier's default delivery (local mode and tests). Each message is an
 * item in the tenant's outbox partition `T#<tenant>#OUTBOX`, kept for a week.
 *
 * Access patterns: add a message (PutItem), read a tenant's outbox oldest first (Query on the partition).
 */
import { randomUUID } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";

const OUTBOX_RETENTION_S = 7 * 86_400;
const outboxPk = (tenantId: string) => `${tenantPk(tenantId)}#OUTBOX`;

export async function putOutboxMessage(n: {
  tenantId: string;
  channel: "email" | "sms";
  to: string;
  subject: string;
  body: string;
  kind: string;
}): Promise<void> {
  const at = new Date().toISOString();
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        PK: outboxPk(n.tenantId),
        SK: `MSG#${at}#${randomUUID()}`,
        type: "OutboxMessage",
        ...n,
        createdAt: at,
        expiresAt: Math.floor(Date.now() / 1000) + OUTBOX_RETENTION_S,
      },
    }),
  );
}

export const OutboxMessage = z.object({
  channel: z.enum(["email", "sms"]),
  to: z.string(),
  subject: z.string(),
  body: z.string(),
  kind: z.string(),
  createdAt: z.string(),
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;

/** The local outbox of a tenant, oldest first (local mode and tests). */
export async function readOutbox(tenantId: string): Promise<OutboxMessage[]> {
  const items = await queryAll({ tenantId, pk: outboxPk(tenantId), consistent: true });
  return items.map((i) => OutboxMessage.parse(i));
}
