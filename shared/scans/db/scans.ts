/**
 * Gateway security scans of a tenant, their idempotency tokens, the pointer to the latest finished
 * scan and the tenant's recurring schedule:
 *
 *   T#<tenant> / SCAN#<scan id>            one scan: request, progress, per-component results, outcome
 *   T#<tenant> / SCANTOKEN#<sha256 token>  a client_token → the scan it started (TTL: a day)
 *   T#<tenant> / SCANLATEST                the latest finished scan's id (GET /scan/results?latest)
 *   T#<tenant> / SCANSCHEDULE              the recurring schedule (expression, next run)
 *
 * Scan ids sort by start time (`scan-YYYYMMDD-HHMMSS-<hex>`), so the tenant's recent scans are one
 * Query on `SCAN#` in descending order. Progress is UpdateItem on the scan, only while it runs.
 */
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { getItem, queryPage, updateIf } from "#shared/table/repo.ts";

export const SCAN_STATUSES = ["running", "completed", "failed", "cancelled"] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];

export const CheckResult = z.object({
  check: z.string(),
  status: z.enum(["pass", "warning", "fail"]),
  details: z.string(),
  severity: z.enum(["low", "medium", "high", "critical"]),
  remediation: z._default(z.nullable(z.string()), null),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const ComponentResult = z.object({
  status: z.enum(["pass", "warning", "fail"]),
  score: z.number(),
  issues: z.number(),
  checks: z.array(CheckResult),
});
export type ComponentResult = z.infer<typeof ComponentResult>;

export const ScanItem = z.object({
  scanId: z.string(),
  scanType: z.string(),
  depth: z.string(),
  components: z.array(z.string()),
  status: z.enum(SCAN_STATUSES),
  /** What started it: a request, the tenant's schedule, or an unlock. */
  trigger: z.enum(["api", "schedule", "unlock"]),
  startedBy: z.string(),
  startedAt: z.string(),
  estimatedSeconds: z.number(),
  finishedAt: z._default(z.nullable(z.string()), null),
  currentComponent: z._default(z.nullable(z.string()), null),
  currentCheck: z._default(z.nullable(z.string()), null),
  componentsDone: z._default(z.array(z.string()), []),
  issuesFound: z._default(z.number(), 0),
  results: z._default(z.record(z.string(), ComponentResult), {}),
  cancelRequested: z._default(z.boolean(), false),
  cancelledBy: z._default(z.nullable(z.string()), null),
  error: z._default(z.nullable(z.string()), null),
  totalIssues: z._default(z.nullable(z.number()), null),
  securityScore: z._default(z.nullable(z.number()), null),
  riskLevel: z._default(z.nullable(z.string()), null),
  recommendations: z._default(z.array(z.string()), []),
});
export type ScanItem = z.infer<typeof ScanItem>;

const scanKey = (tenantId: string, scanId: string) => ({ PK: tenantPk(tenantId), SK: `SCAN#${scanId}` });
const tokenKey = (tenantId: string, tokenHash: string) => ({ PK: tenantPk(tenantId), SK: `SCANTOKEN#${tokenHash}` });
const latestKey = (tenantId: string) => ({ PK: tenantPk(tenantId), SK: "SCANLATEST" });
const scheduleKey = (tenantId: string) => ({ PK: tenantPk(tenantId), SK: "SCANSCHEDULE" });

const failedCondition = (e: unknown) => (e as { name?: string }).name === "ConditionalCheckFailedException";

export async function putScan(tenantId: string, scan: ScanItem): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...scanKey(tenantId, scan.scanId), type: "GatewayScan", ...scan },
      ConditionExpression: "attribute_not_exists(PK)",
    }),
  );
}

export async function getScan(tenantId: string, scanId: string, consistent = true): Promise<ScanItem | undefined> {
  const item = await getItem(scanKey(tenantId, scanId), consistent);
  return item ? ScanItem.parse(item) : undefined;
}

export async function deleteScan(tenantId: string, scanId: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: tableName, Key: scanKey(tenantId, scanId) }));
}

/** The tenant's most recent scans, newest first. */
export async function recentScans(tenantId: string, limit: number): Promise<ScanItem[]> {
  const page = await queryPage({
    tenantId,
    pk: tenantPk(tenantId),
    skBeginsWith: "SCAN#",
    descending: true,
    limit,
  });
  return page.items.map((i) => ScanItem.parse(i));
}

/** Progress of a running scan: the component and check it is on now. */
export async function setScanPosition(
  tenantId: string,
  scanId: string,
  component: string,
  check: string | null,
): Promise<void> {
  await updateIf({
    key: scanKey(tenantId, scanId),
    update: "SET currentComponent = :c, currentCheck = :k",
    condition: "#status = :running",
    names: { "#status": "status" },
    values: { ":c": component, ":k": check, ":running": "running" },
  });
}

/** A component is done: its result stored, counted in the issues found so far. */
export async function addComponentResult(
  tenantId: string,
  scanId: string,
  component: string,
  result: ComponentResult,
): Promise<void> {
  await updateIf({
    key: scanKey(tenantId, scanId),
    update:
      "SET results.#component = :result, componentsDone = list_append(componentsDone, :done), currentCheck = :nil ADD issuesFound :issues",
    condition: "#status = :running AND NOT contains(componentsDone, :name)",
    names: { "#status": "status", "#component": component },
    values: {
      ":result": result,
      ":done": [component],
      ":name": component,
      ":issues": result.issues,
      ":nil": null,
      ":running": "running",
    },
  });
}

/** Asks a running scan to stop (its next step honours it); answers the scan after, or undefined when it was not running. */
export async function requestCancel(tenantId: string, scanId: string, by: string): Promise<ScanItem | undefined> {
  const item = await updateIf({
    key: scanKey(tenantId, scanId),
    update: "SET cancelRequested = :yes, cancelledBy = :by",
    condition: "#status = :running",
    names: { "#status": "status" },
    values: { ":yes": true, ":by": by, ":running": "running" },
  });
  return item ? ScanItem.parse(item) : undefined;
}

export interface ScanOutcome {
  status: Exclude<ScanStatus, "running">;
  at: string;
  error: string | null;
  totalIssues: number | null;
  securityScore: number | null;
  riskLevel: string | null;
  recommendations: string[];
}

/** Ends a running scan; answers the scan after, or undefined when it had already ended. */
export async function endScan(tenantId: string, scanId: string, o: ScanOutcome): Promise<ScanItem | undefined> {
  const item = await updateIf({
    key: scanKey(tenantId, scanId),
    update:
      "SET #status = :status, finishedAt = :at, #error = :error, totalIssues = :total, securityScore = :score, riskLevel = :risk, recommendations = :recs, currentComponent = :nil, currentCheck = :nil",
    condition: "#status = :running",
    names: { "#status": "status", "#error": "error" },
    values: {
      ":status": o.status,
      ":at": o.at,
      ":error": o.error,
      ":total": o.totalIssues,
      ":score": o.securityScore,
      ":risk": o.riskLevel,
      ":recs": o.recommendations,
      ":nil": null,
      ":running": "running",
    },
  });
  return item ? ScanItem.parse(item) : undefined;
}

// ── idempotency tokens ────────────────────────────────────────────────────────────────────────

/** Claims `tokenHash` for `scanId`; answers the scan id that holds it when another request claimed it first. */
export async function claimToken(
  tenantId: string,
  tokenHash: string,
  scanId: string,
  ttlSeconds: number,
): Promise<string | undefined> {
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...tokenKey(tenantId, tokenHash),
          type: "GatewayScanToken",
          scanId,
          expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds,
        },
        ConditionExpression: "attribute_not_exists(PK) OR expiresAt < :now",
        ExpressionAttributeValues: { ":now": Math.floor(Date.now() / 1000) },
      }),
    );
    return undefined;
  } catch (e) {
    if (!failedCondition(e)) throw e;
    const held = await getItem(tokenKey(tenantId, tokenHash), true);
    return typeof held?.scanId === "string" ? held.scanId : undefined;
  }
}

export async function releaseToken(tenantId: string, tokenHash: string, scanId: string): Promise<void> {
  await db
    .send(
      new DeleteCommand({
        TableName: tableName,
        Key: tokenKey(tenantId, tokenHash),
        ConditionExpression: "scanId = :id",
        ExpressionAttributeValues: { ":id": scanId },
      }),
    )
    .catch((e: unknown) => {
      if (!failedCondition(e)) throw e;
    });
}

// ── latest finished scan ──────────────────────────────────────────────────────────────────────

export async function setLatest(tenantId: string, scanId: string, startedAt: string): Promise<void> {
  await db
    .send(
      new PutCommand({
        TableName: tableName,
        Item: { ...latestKey(tenantId), type: "GatewayScanLatest", scanId, startedAt },
        // The scan that started last wins, whatever order they end in: a scan that started earlier but
        // ended later does not hide a newer one. Compared by start time to the millisecond (ISO 8601
        // UTC strings sort as times): ids carry the second only, then random hex, so two scans started
        // in one second would otherwise be ordered by chance. Same millisecond: the id decides.
        ConditionExpression:
          "attribute_not_exists(PK) OR startedAt < :at OR (startedAt = :at AND scanId < :id) OR " +
          "(attribute_not_exists(startedAt) AND scanId < :id)",
        ExpressionAttributeValues: { ":id": scanId, ":at": startedAt },
      }),
    )
    .catch((e: unknown) => {
      if (!failedCondition(e)) throw e;
    });
}

export async function latestScanId(tenantId: string): Promise<string | undefined> {
  const item = await getItem(latestKey(tenantId), true);
  return typeof item?.scanId === "string" ? item.scanId : undefined;
}

// ── recurring schedule ────────────────────────────────────────────────────────────────────────

export const ScheduleItem = z.object({
  /** EventBridge Scheduler expression, UTC (`cron(0 2 ? * SUN *)`). */
  expression: z.string(),
  nextRun: z.string(),
  scanType: z.string(),
  depth: z.string(),
  components: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type ScheduleItem = z.infer<typeof ScheduleItem>;

export async function putSchedule(tenantId: string, s: ScheduleItem): Promise<void> {
  await db.send(
    new PutCommand({ TableName: tableName, Item: { ...scheduleKey(tenantId), type: "GatewayScanSchedule", ...s } }),
  );
}

export async function getSchedule(tenantId: string): Promise<ScheduleItem | undefined> {
  const item = await getItem(scheduleKey(tenantId), true);
  return item ? ScheduleItem.parse(item) : undefined;
}

/** Answers whether there was one. */
export async function deleteSchedule(tenantId: string): Promise<boolean> {
  const out = await db.send(
    new DeleteCommand({ TableName: tableName, Key: scheduleKey(tenantId), ReturnValues: "ALL_OLD" }),
  );
  return out.Attributes !== undefined;
}
