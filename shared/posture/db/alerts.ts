/**
 * Cloud alerts: one per failing (account, check, resource), so a re-scan updates the alert instead
 * of adding a second one.
 *
 *   T#<tenant> / CALERT#<id, 10 digits>     the alert (status, history timestamps, last scan)
 *
 * A tenant's alerts are read with one Query on its partition (bounded by what its accounts fail);
 * a status change is a conditional UpdateItem on the status it was read with, so two people
 * changing the same alert cannot both win.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { db, tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { getItem, type Item, nextId, queryAll, updateIf } from "#shared/table/repo.ts";

export interface AlertItem {
  id: number;
  /** (account, check, resource): the finding key. */
  key: string;
  accountId: string;
  provider: string;
  checkId: string;
  title: string;
  description: string;
  severity: string;
  status: "open" | "acknowledged" | "resolved" | "suppressed";
  resourceId: string;
  resourceType: string;
  service: string;
  region: string;
  riskScore: number;
  complianceViolations: string[];
  createdAt: string;
  updatedAt: string;
  /** The scan that last saw the problem (or saw it fixed). */
  scanId: string;
  firstScanId: string;
  acknowledgedAt: string | null;
  acknowledgedBy: number | null;
  resolvedAt: string | null;
  resolvedBy: number | null;
  /** How the alert was last resolved: by a scan that found it fixed, or by a person. */
  resolvedHow: "scan" | "user" | null;
  suppressedReason: string | null;
  suppressedUntil: string | null;
  suppressedBy: number | null;
  notes: string | null;
  /** Times the alert opened (first time, and each reopening). */
  openings: number;
}

const alertKey = (tenantId: string, id: number) => ({ PK: tenantPk(tenantId), SK: `CALERT#${pad(id)}` });

const toAlert = (item: Item): AlertItem => {
  const { PK: _pk, SK: _sk, type: _type, ...rest } = item;
  return rest as unknown as AlertItem;
};

export async function newAlertId(tenantId: string): Promise<number> {
  return nextId(tenantId, "cloud-alert");
}

export async function putAlert(tenantId: string, alert: AlertItem): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...alertKey(tenantId, alert.id), type: "CloudAlert", ...alert },
      ConditionExpression: "attribute_not_exists(PK)",
    }),
  );
}

export async function getAlert(tenantId: string, id: number): Promise<AlertItem | undefined> {
  const item = await getItem(alertKey(tenantId, id), true);
  return item ? toAlert(item) : undefined;
}

export async function listAlerts(tenantId: string): Promise<AlertItem[]> {
  const items = await queryAll({ tenantId, pk: tenantPk(tenantId), skBeginsWith: "CALERT#" }, 100_000);
  return items.map(toAlert);
}

/**
 * Applies `changes` when the alert's status is still `expectedStatus` (and `updatedAt` too, when
 * given); answers the alert after, or undefined when someone changed it meanwhile.
 */
export async function updateAlert(
  tenantId: string,
  id: number,
  expected: { status: string; updatedAt?: string },
  changes: Partial<AlertItem>,
): Promise<AlertItem | undefined> {
  const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
  const names: Record<string, string> = { "#status": "status" };
  const values: Record<string, unknown> = { ":expected": expected.status };
  const sets = entries.map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:v${i}`] = v;
    return `#f${i} = :v${i}`;
  });
  let condition = "#status = :expected";
  if (expected.updatedAt) {
    names["#updatedAt"] = "updatedAt";
    values[":expectedAt"] = expected.updatedAt;
    condition += " AND #updatedAt = :expectedAt";
  }
  const out = await updateIf({
    key: alertKey(tenantId, id),
    update: `SET ${sets.join(", ")}`,
    condition,
    names,
    values,
  });
  return out ? toAlert(out) : undefined;
}
