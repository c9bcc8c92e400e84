/**
 * How often each firewall rule matched, and when it last did, from the log lines that name a rule:
 *
 *   T#<t>#FWHITS / <rule id>   hit count and last hit per rule
 *
 * Access patterns: add a batch's hits (UpdateItem per rule, then a conditional one that only moves
 * the last hit forward); read every rule's hits (one Query).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";
import type { FirewallLogLine } from "./firewall-log.ts";

export const ruleHitKeys = {
  pk: (t: string) => `${tenantPk(t)}#FWHITS`,
  sk: (ruleId: number) => pad(ruleId),
};

export const RuleHitsItem = z.object({
  rule_id: z.number(),
  count: z._default(z.number(), 0),
  last_hit: z._default(z.string(), ""),
});

export interface RuleHits {
  count: number;
  /** ISO time of the latest line naming the rule. */
  last: string;
}

export async function addRuleHits(tenantId: string, lines: FirewallLogLine[]): Promise<void> {
  const hits = new Map<number, RuleHits>();
  for (const l of lines) {
    if (l.ruleId === undefined) continue;
    const h = hits.get(l.ruleId) ?? { count: 0, last: l.timestamp };
    hits.set(l.ruleId, { count: h.count + 1, last: [h.last, l.timestamp].sort()[1] ?? l.timestamp });
  }
  for (const [ruleId, h] of hits) {
    const Key = { PK: ruleHitKeys.pk(tenantId), SK: ruleHitKeys.sk(ruleId) };
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key,
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
          Key,
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

/** Every rule's hits, by rule id. */
export async function readRuleHits(tenantId: string): Promise<Map<number, RuleHits>> {
  const items = await queryAll({ tenantId, pk: ruleHitKeys.pk(tenantId) });
  return new Map(
    items.map((i) => {
      const hit = RuleHitsItem.parse(i);
      return [hit.rule_id, { count: hit.count, last: hit.last_hit }];
    }),
  );
}
