/**
 * Write helpers the event entities share (firewall log, counters, SSH sessions, auth failures,
 * metrics): batched puts with retries, and counter updates. No entity of its own.
 */
import { BatchWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { db, tableName } from "#shared/table/client.ts";
import type { Item } from "#shared/table/repo.ts";

export const day = (iso: string) => iso.slice(0, 10);
export const hour = (iso: string) => iso.slice(0, 13);

export async function batchPut(items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0 && attempt < 6; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (out.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
    if (pending.length > 0) throw new Error(`${pending.length} items unprocessed after retries`);
  }
}

/** Attribute names for counters: `a:DROP`, `ip:203.0.113.5`, `port:23`, `dos`, `scan`. */
function counterUpdate(counters: Map<string, number>, sets: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  const setParts: string[] = [];
  let i = 0;
  for (const [name, n] of counters) {
    names[`#c${i}`] = name;
    values[`:c${i}`] = n;
    adds.push(`#c${i} :c${i}`);
    i++;
  }
  for (const [name, v] of Object.entries(sets)) {
    names[`#s${i}`] = name;
    values[`:s${i}`] = v;
    setParts.push(`#s${i} = :s${i}`);
    i++;
  }
  const expression = [setParts.length ? `SET ${setParts.join(", ")}` : "", adds.length ? `ADD ${adds.join(", ")}` : ""]
    .filter(Boolean)
    .join(" ");
  return { expression, names, values };
}

export async function addCounters(
  key: { PK: string; SK: string },
  counters: Map<string, number>,
  sets: Record<string, unknown>,
) {
  const u = counterUpdate(counters, sets);
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: u.expression,
      ExpressionAttributeNames: u.names,
      ExpressionAttributeValues: u.values,
    }),
  );
}
