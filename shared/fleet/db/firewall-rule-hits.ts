/**
 * How often each firewall rule matched, and when it last did, from the log lines that name a rule:
 *
 *   T#<t>#FWHITS / <rule id>   hit count and last hit per rule
 *
 * Access patterns: add a batch's hits (UpdateItem per rule); read every rule's hits (one Query).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";
import type { FirewallLine } from "./firewall-log.ts";

export const ruleHitKeys = {
  pk: (t: string) => `${tenantPk(t)}#FWHITS`,
};

export async function addRuleHits(tenantId: string, lines: FirewallLine[]): Promise<void> {
  // Rule hits.
  const hits = new Map<number, { count: number; last: string }>();
  for (const l of lines) {
    if (l.rule_id === undefined) continue;
    const h = hits.get(l.rule_id) ?? { count: 0, last: l.timestamp };
    hits.set(l.rule_id, { count: h.count + 1, last: [h.last, l.timestamp].sort()[1] ?? l.timestamp });
  }
  for (const [ruleId, h] of hits) {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { PK: ruleHitKeys.pk(tenantId), SK: pad(ruleId) },
        UpdateExpression: "ADD #count :n SET #type = :type, #rule = :rule, #last = if_not_exists(#last, :last)",
        ExpressionAttributeNames: { "#count": "count", "#type": "type", "#rule": "rule_id", "#last": "last_hit" },
        ExpressionAttributeValues: { ":n": h.count, ":type": "FirewallRuleHits", ":rule": ruleId, ":last": h.last },
      }),
    );
    // Keep the latest hit: a second conditional write only when this batch is newer.
    await db
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: ruleHitKeys.pk(tenantId), SK: pad(ruleId) },
          UpdateExpression: "SET #last = :last",
          ConditionExpression: "#last < :last",
          ExpressionAttributeNames: { "#last": "last_hit" },
          ExpressionAttributeValues: { ":last": h.last },
        }),
      )
      .catch((e: { name?: string }) => {
        if (e.name !== "ConditionalCheckFailedException") throw e;
      });
  }
}

export async function readRuleHits(tenantId: string): Promise<Map<number, { count: number; last: string }>> {
  const items = await queryAll({ tenantId, pk: ruleHitKeys.pk(tenantId) });
  return new Map(
    items.map((i) => [Number(i.rule_id), { count: Number(i.count ?? 0), last: String(i.last_hit ?? "") }]),
  );
}
