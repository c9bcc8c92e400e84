/**
 * Cloud scans and what they collect and find:
 *
 *   T#<tenant> / CSCAN#<scan id>                        the scan: config, progress, summary, score
 *   T#<tenant> / CSCANPART#<scan id>#<service>#<region>  one collector unit's inventory (gzip JSON, TTL)
 *   T#<tenant> / CSCANFIND#<scan id>#<chunk>             the scan's findings, in chunks (gzip JSON)
 *
 * Scan ids begin `scan-YYYYMMDD-`, so a descending Query lists the newest first. Sealed credentials
 * live on the scan item only while it runs (REMOVEd by the finisher). No Scan, no GSI needed: every
 * read is a GetItem or a Query on the tenant's partition.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { BatchWriteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { getItem, type Item, queryAll } from "#shared/table/repo.ts";

export interface SkippedUnit {
  service: string;
  region: string;
  reason: string;
}

export interface ScanItem {
  id: string;
  provider: string;
  status: "initiated" | "running" | "completed" | "failed";
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  startedBy: string;
  /** The home region (credentials' region, or the first region scanned). */
  region: string;
  regions: string[];
  services: string[];
  frameworks: string[];
  deepScan: boolean;
  credentialMode: "demo" | "access_key" | "role_arn" | "platform";
  accountId: string | null;
  totalUnits: number;
  unitsDone: number;
  doneUnits: string[];
  skipped: SkippedUnit[];
  currentService: string | null;
  findingsSoFar: number;
  totalResources: number;
  findingsCount: number;
  bySeverity: Record<string, number>;
  byService: Record<string, number>;
  score: number | null;
  improvementAreas: { category: string; current_score: number; potential_improvement: number }[];
  complianceSummary: Record<string, number>;
  error: string | null;
  hasCredentials: boolean;
}

const scanKey = (tenantId: string, id: string) => ({ PK: tenantPk(tenantId), SK: `CSCAN#${id}` });
const partKey = (tenantId: string, id: string, service: string, region: string) => ({
  PK: tenantPk(tenantId),
  SK: `CSCANPART#${id}#${service}#${region}`,
});
const findingsPrefix = (id: string) => `CSCANFIND#${id}#`;

function toScan(item: Item): ScanItem {
  const { PK: _pk, SK: _sk, type: _type, sealedCredentials, doneUnits, ...rest } = item;
  return {
    ...(rest as unknown as ScanItem),
    doneUnits: doneUnits instanceof Set ? [...(doneUnits as Set<string>)].sort() : [],
    hasCredentials: typeof sealedCredentials === "string",
  };
}

export async function putScan(
  tenantId: string,
  scan: Omit<ScanItem, "hasCredentials" | "doneUnits">,
  sealedCredentials: string | null,
): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...scanKey(tenantId, scan.id),
        type: "CloudScan",
        ...scan,
        ...(sealedCredentials ? { sealedCredentials } : {}),
      },
      ConditionExpression: "attribute_not_exists(PK)",
    }),
  );
}

export async function getScan(tenantId: string, id: string, consistent = true): Promise<ScanItem | undefined> {
  const item = await getItem(scanKey(tenantId, id), consistent);
  return item ? toScan(item) : undefined;
}

export async function getSealedCredentials(tenantId: string, id: string): Promise<string | undefined> {
  const item = await getItem(scanKey(tenantId, id), true);
  return typeof item?.sealedCredentials === "string" ? item.sealedCredentials : undefined;
}

/** Sets fields of a scan (`undefined` values are left as they are). */
export async function updateScan(tenantId: string, id: string, changes: Partial<ScanItem>): Promise<void> {
  const entries = Object.entries(changes).filter(([k, v]) => v !== undefined && k !== "hasCredentials");
  if (entries.length === 0) return;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = entries.map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:v${i}`] = v;
    return `#f${i} = :v${i}`;
  });
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: scanKey(tenantId, id),
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: "attribute_exists(PK)",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/** Deletes the scan's sealed credentials (the finisher, whatever the outcome). */
export async function dropCredentials(tenantId: string, id: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: scanKey(tenantId, id),
      UpdateExpression: "REMOVE sealedCredentials",
      ConditionExpression: "attribute_exists(PK)",
    }),
  );
}

/** One collector unit finished (or was skipped): progress counters, atomically. */
export async function recordUnit(
  tenantId: string,
  id: string,
  unit: { service: string; region: string; skipped?: string },
): Promise<void> {
  const label = `${unit.service}@${unit.region}`;
  await db
    .send(
      new UpdateCommand({
        TableName: tableName,
        Key: scanKey(tenantId, id),
        UpdateExpression: unit.skipped
          ? "ADD unitsDone :one, doneUnits :label SET currentService = :svc, skipped = list_append(skipped, :skip)"
          : "ADD unitsDone :one, doneUnits :label SET currentService = :svc",
        ConditionExpression: "attribute_exists(PK) AND NOT contains(doneUnits, :labelText)",
        ExpressionAttributeValues: {
          ":one": 1,
          ":label": new Set([label]),
          ":labelText": label,
          ":svc": unit.service,
          ...(unit.skipped ? { ":skip": [{ service: unit.service, region: unit.region, reason: unit.skipped }] } : {}),
        },
      }),
    )
    .catch((e: { name?: string }) => {
      // A retried unit is counted once.
      if (e.name !== "ConditionalCheckFailedException") throw e;
    });
}

/** The tenant's scans, newest first (one Query on the partition: a tenant's scans are bounded by its plan). */
export async function listScans(tenantId: string): Promise<ScanItem[]> {
  const items = await queryAll({ tenantId, pk: tenantPk(tenantId), skBeginsWith: "CSCAN#", descending: true });
  // Ids sort by day only (their tail is random): within a day, by the start time.
  return items.map(toScan).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

// ── inventory parts and findings (gzip JSON; one item stays far under DynamoDB's 400 KB) ────────

const pack = (value: unknown): Uint8Array => gzipSync(Buffer.from(JSON.stringify(value)));
const unpack = (data: unknown): unknown => JSON.parse(gunzipSync(Buffer.from(data as Uint8Array)).toString("utf8"));

/** A unit's inventory part; kept a day at most (TTL), deleted once evaluated. */
export async function putPart(tenantId: string, id: string, service: string, region: string, part: unknown) {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...partKey(tenantId, id, service, region),
        type: "CloudScanPart",
        data: pack(part),
        expiresAt: Math.floor(Date.now() / 1000) + 86_400,
      },
    }),
  );
}

export async function readParts(tenantId: string, id: string): Promise<{ sk: string; part: unknown }[]> {
  const items = await queryAll({
    tenantId,
    pk: tenantPk(tenantId),
    skBeginsWith: `CSCANPART#${id}#`,
    consistent: true,
  });
  return items.map((i) => ({ sk: String(i.SK), part: unpack(i.data) }));
}

async function batchDelete(tenantId: string, sks: string[]) {
  for (let i = 0; i < sks.length; i += 25) {
    let pending: unknown[] = sks
      .slice(i, i + 25)
      .map((SK) => ({ DeleteRequest: { Key: { PK: tenantPk(tenantId), SK } } }));
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
      pending = out.UnprocessedItems?.[tableName] ?? [];
    }
  }
}

async function batchPut(items: Item[]) {
  for (let i = 0; i < items.length; i += 25) {
    let pending: unknown[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
      pending = out.UnprocessedItems?.[tableName] ?? [];
    }
  }
}

export async function deleteParts(tenantId: string, id: string): Promise<void> {
  const items = await queryAll({ tenantId, pk: tenantPk(tenantId), skBeginsWith: `CSCANPART#${id}#` });
  await batchDelete(
    tenantId,
    items.map((i) => String(i.SK)),
  );
}

const FINDINGS_PER_CHUNK = 1000;

/** Replaces the scan's stored findings. */
export async function putFindings(tenantId: string, id: string, findings: readonly unknown[]): Promise<void> {
  const old = await queryAll({ tenantId, pk: tenantPk(tenantId), skBeginsWith: findingsPrefix(id) });
  await batchDelete(
    tenantId,
    old.map((i) => String(i.SK)),
  );
  const items: Item[] = [];
  for (let i = 0; i < findings.length; i += FINDINGS_PER_CHUNK) {
    items.push({
      PK: tenantPk(tenantId),
      SK: `${findingsPrefix(id)}${String(i / FINDINGS_PER_CHUNK).padStart(5, "0")}`,
      type: "CloudScanFindings",
      data: pack(findings.slice(i, i + FINDINGS_PER_CHUNK)),
    });
  }
  await batchPut(items);
}

export async function readFindings(tenantId: string, id: string): Promise<unknown[]> {
  const items = await queryAll({ tenantId, pk: tenantPk(tenantId), skBeginsWith: findingsPrefix(id) });
  return items.flatMap((i) => unpack(i.data) as unknown[]);
}
