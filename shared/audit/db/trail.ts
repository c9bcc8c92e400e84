/**
 * The audit trail: append-only and hash-chained per tenant. Each record carries the hash of the
 * one before it; the chain head (last sequence number and hash) is one item, advanced in the same
 * transaction as the records, so two writers can never fork the chain (the loser retries).
 *
 * Clearing old records (gateway "Clear Audit Log") removes a prefix of the chain: the head first
 * records `archivedThrough` (seq and hash of the last removed record), then the records go. The
 * chain is verified from that anchor, so it stays verifiable after a clear, and a clear that
 * stopped halfway only leaves records the anchor already covers.
 *
 * Keys (the chain head lives beside the day partitions, so "may append to the audit trail" is one
 * key prefix an IAM LeadingKeys condition can name):
 *   T#<tenant>#AUDIT / HEAD                                 the chain head
 *   T#<tenant>#AUDIT#<yyyy-mm-dd> / <timestamp>#<seq:12>    one record (sharded by UTC day, so a
 *                                                           day's writes and an hours-range read stay small)
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { Conflict } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import {
  deletePut,
  getItem,
  type Item,
  newItemPut,
  queryAll,
  queryPage,
  transact,
  updateVersioned,
  versionedUpdateItem,
} from "#shared/table/repo.ts";

export const auditKeys = {
  head: (tenantId: string) => ({ PK: `${tenantPk(tenantId)}#AUDIT`, SK: "HEAD" }),
  dayPk: (tenantId: string, day: string) => `${tenantPk(tenantId)}#AUDIT#${day}`,
  sk: (timestamp: string, seq: number) => `${timestamp}#${pad(seq, 12)}`,
} as const;

/** The partitions the trail writes, as IAM `dynamodb:LeadingKeys` patterns (the read-only functions may append here). */
export const AUDIT_PARTITION_PATTERNS = ["T#*#AUDIT", "T#*#AUDIT#*"] as const;

const DAY_PARTITION = /^T#([^#]+)#AUDIT#\d{4}-\d{2}-\d{2}$/;
/** The tenant whose trail a day partition key belongs to, or undefined for any other key. */
export const tenantOfAuditPartition = (pk: unknown): string | undefined =>
  typeof pk === "string" ? DAY_PARTITION.exec(pk)?.[1] : undefined;

export const AuditStatus = z.enum(["success", "failed"]);
export const AuditSeverity = z.enum(["info", "warning", "high", "critical"]);

export interface AuditEntry {
  /** Human event name, as the gateway spec shows it: "Login", "Failed Login", "User Modified". */
  event: string;
  /** snake_case event type for filters and stats: "login", "login_failed", "user_modified". */
  eventType: string;
  resource: string;
  status: z.infer<typeof AuditStatus>;
  severity?: z.infer<typeof AuditSeverity>;
  user?: string;
  userId?: number;
  /** The API key the user acted through (its display id, "AK-009"); absent for a signed-in user. */
  apiKeyId?: string;
  ip?: string;
  userAgent?: string;
  details?: Record<string, unknown>;
}

export const AuditRecord = z.object({
  id: z.string(),
  seq: z.number(),
  timestamp: z.string(),
  user: z.string(),
  user_id: z.nullable(z.number()),
  /**
   * The API key the action came through (its prefix), beside the key's owner in `user`. Absent on
   * actions of a signed-in user, and on records written before keys were recorded (absent, not
   * null, so those records hash as they always did).
   */
  api_key_id: z.optional(z.string()),
  event: z.string(),
  event_type: z.string(),
  resource: z.string(),
  ip_address: z.nullable(z.string()),
  user_agent: z.nullable(z.string()),
  status: AuditStatus,
  details: z.record(z.string(), z.unknown()),
  severity: AuditSeverity,
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

const GENESIS = "0".repeat(64);

/** Canonical JSON (sorted keys) so the hash does not depend on attribute order in storage. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

export function recordHash(record: Omit<AuditRecord, "hash">): string {
  return createHash("sha256").update(canonical(record)).digest("hex");
}

const Anchor = z.object({ seq: z.number(), hash: z.string(), day: z.string() });
export type AuditAnchor = z.infer<typeof Anchor>;

const Head = z.object({
  seq: z.number(),
  hash: z.string(),
  firstDay: z.string(),
  /** The last record removed by a clear: verification starts after it. */
  archivedThrough: z._default(z.nullable(Anchor), null),
  version: z.number(),
});
export type AuditHead = z.infer<typeof Head>;

export async function getAuditHead(tenantId: string): Promise<AuditHead | undefined> {
  const item = await getItem(auditKeys.head(tenantId), true);
  return item ? Head.parse(item) : undefined;
}

export async function appendAudit(tenantId: string, entries: AuditEntry[]): Promise<AuditRecord[]> {
  if (entries.length === 0) return [];
  for (let attempt = 0; ; attempt++) {
    const headItem = await getItem(auditKeys.head(tenantId), true);
    const head = headItem ? Head.parse(headItem) : undefined;
    const now = new Date();
    const timestamp = now.toISOString();
    const day = timestamp.slice(0, 10);
    let seq = head?.seq ?? 0;
    let prevHash = head?.hash ?? GENESIS;
    const records: AuditRecord[] = entries.map((e) => {
      seq += 1;
      const base = {
        id: `audit-${seq}`,
        seq,
        timestamp,
        user: e.user ?? "unknown",
        user_id: e.userId ?? null,
        ...(e.apiKeyId ? { api_key_id: e.apiKeyId } : {}),
        event: e.event,
        event_type: e.eventType,
        resource: e.resource,
        ip_address: e.ip ?? null,
        user_agent: e.userAgent ?? null,
        status: e.status,
        // Round-trip through JSON so the hash covers exactly what DynamoDB stores (no undefined).
        details: e.details ? (JSON.parse(JSON.stringify(e.details)) as Record<string, unknown>) : {},
        severity: e.severity ?? (e.status === "failed" ? "warning" : "info"),
        prevHash,
      };
      const hash = recordHash(base);
      prevHash = hash;
      return { ...base, hash };
    });
    const headChange = { type: "AuditHead", seq, hash: prevHash };
    const headWrite = head
      ? versionedUpdateItem(auditKeys.head(tenantId), head.version, headChange)
      : newItemPut({ ...auditKeys.head(tenantId), ...headChange, firstDay: day });
    const puts = records.map((r) =>
      newItemPut({ PK: auditKeys.dayPk(tenantId, day), SK: auditKeys.sk(r.timestamp, r.seq), type: "Audit", ...r }),
    );
    try {
      await transact([headWrite, ...puts]);
      return records;
    } catch (e) {
      if (!(e instanceof Conflict) || attempt >= 8) throw e;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const DAY_MS = 86_400_000;
/** Day partitions read at once: a 30-day range costs 31 Queries, in 4 rounds rather than 31. */
const DAY_READ_CONCURRENCY = 8;

/** Items of the UTC days between two instants, newest day first, each day newest first. */
async function readAuditItems(tenantId: string, from: Date, to: Date): Promise<Item[]> {
  const days: string[] = [];
  for (let d = new Date(`${dayOf(to)}T00:00:00Z`); d.getTime() >= new Date(`${dayOf(from)}T00:00:00Z`).getTime(); ) {
    days.push(dayOf(d));
    d = new Date(d.getTime() - DAY_MS);
  }
  const out: Item[] = [];
  for (let i = 0; i < days.length; i += DAY_READ_CONCURRENCY) {
    const pages = await Promise.all(
      days.slice(i, i + DAY_READ_CONCURRENCY).map((day) =>
        queryAll({
          tenantId,
          pk: auditKeys.dayPk(tenantId, day),
          skBetween: [from.toISOString(), `${to.toISOString()}~`],
          descending: true,
        }),
      ),
    );
    for (const page of pages) out.push(...page);
  }
  return out;
}

/**
 * Records between two instants, newest first, reading one partition per UTC day in the range.
 * A stored record that no longer parses (altered in the table) is left out here and logged;
 * `verifyAuditChain` reports it.
 */
export async function readAudit(tenantId: string, from: Date, to: Date): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (const item of await readAuditItems(tenantId, from, to)) {
    const parsed = AuditRecord.safeParse(item);
    if (parsed.success) out.push(parsed.data);
    else log.error("unreadable audit record", { tenantId, pk: item.PK, sk: item.SK });
  }
  return out;
}

export interface ChainReport {
  intact: boolean;
  checked: number;
  /** Where verification started: after the last record removed by a clear, or at the genesis. */
  anchoredAt?: { seq: number };
  /** The first record whose hash or link does not match, if any. */
  brokenAt?: { seq: number; id: string; reason: string };
}

/** Walks the chain from the clear anchor (or the first day) to the head and reports the first break. */
export async function verifyAuditChain(tenantId: string): Promise<ChainReport> {
  const head = await getAuditHead(tenantId);
  if (!head) return { intact: true, checked: 0 };
  const anchor = head.archivedThrough;
  const startDay = anchor?.day ?? head.firstDay;
  const items = await readAuditItems(tenantId, new Date(`${startDay}T00:00:00Z`), new Date(Date.now() + 60_000));
  const records: (AuditRecord | { seq: number; id: string; unreadable: true })[] = items.map((item) => {
    const parsed = AuditRecord.safeParse(item);
    if (parsed.success) return parsed.data;
    return { seq: Number(item.seq), id: String(item.id), unreadable: true as const };
  });
  const first = anchor?.seq ?? 0;
  // Records past the head were appended after it was read; leftovers of an interrupted clear precede the anchor.
  const chain = records.filter((r) => r.seq > first && r.seq <= head.seq).sort((a, b) => a.seq - b.seq);
  let prev = anchor?.hash ?? GENESIS;
  let expectedSeq = first + 1;
  const broken = (seq: number, id: string, reason: string): ChainReport => ({
    intact: false,
    checked: expectedSeq - 1 - first,
    anchoredAt: { seq: first },
    brokenAt: { seq, id, reason },
  });
  for (const r of chain) {
    if (r.seq !== expectedSeq) return broken(expectedSeq, `audit-${expectedSeq}`, `missing record ${expectedSeq}`);
    if ("unreadable" in r) return broken(r.seq, r.id, "record unreadable (altered)");
    const { hash, ...rest } = r;
    if (r.prevHash !== prev) return broken(r.seq, r.id, "link to previous record broken");
    if (recordHash(rest) !== hash) return broken(r.seq, r.id, "record content altered");
    prev = hash;
    expectedSeq++;
  }
  if (expectedSeq - 1 !== head.seq || prev !== head.hash) {
    return broken(expectedSeq, `audit-${expectedSeq}`, "records missing before the head");
  }
  return { intact: true, checked: head.seq - first, anchoredAt: { seq: first } };
}

/**
 * Moves the verification anchor forward to `anchor` (the last record about to be removed).
 * Retries when an append advanced the head meanwhile; never moves the anchor backwards.
 */
export async function advanceAuditAnchor(tenantId: string, anchor: AuditAnchor): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const head = await getAuditHead(tenantId);
    if (!head) throw new Error("advanceAuditAnchor: no audit head");
    if ((head.archivedThrough?.seq ?? 0) >= anchor.seq) return;
    try {
      await updateVersioned(auditKeys.head(tenantId), head.version, { archivedThrough: anchor }, "Audit head");
      return;
    } catch (e) {
      if (!(e instanceof Conflict) || attempt >= 8) throw e;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}

/** Deletes stored records (up to 100 per transaction). Callers advance the anchor first. */
export async function deleteAuditRecords(
  tenantId: string,
  records: Pick<AuditRecord, "timestamp" | "seq">[],
): Promise<void> {
  for (let i = 0; i < records.length; i += 100) {
    await transact(
      records.slice(i, i + 100).map((r) =>
        deletePut({
          PK: auditKeys.dayPk(tenantId, dayOf(new Date(r.timestamp))),
          SK: auditKeys.sk(r.timestamp, r.seq),
        }),
      ),
    );
  }
}

// --- Archives of cleared records -------------------------------------------------------------

/** Archive chunks: gzip'd JSON lines, base64, at most 256 KiB raw (≈ 342 KiB stored) per item. */
const ARCHIVE_CHUNK_BYTES = 256 * 1024;

export const archiveKeys = {
  pk: (tenantId: string, archiveId: string) => `${tenantPk(tenantId)}#AUDITARCHIVE#${archiveId}`,
  chunk: (n: number) => `CHUNK#${String(n).padStart(5, "0")}`,
  meta: "META",
} as const;

export const AuditArchiveMeta = z.object({
  id: z.string(),
  createdAt: z.string(),
  count: z.number(),
  firstSeq: z.number(),
  lastSeq: z.number(),
  firstTimestamp: z.string(),
  lastTimestamp: z.string(),
  chunks: z.number(),
  bytes: z.number(),
  sha256: z.string(),
  reason: z.nullable(z.string()),
});
export type AuditArchiveMeta = z.infer<typeof AuditArchiveMeta>;

/** Stores a gzip archive of records as chunk items, then its META item (present only when complete). */
export async function writeAuditArchive(
  tenantId: string,
  archiveId: string,
  gzip: Buffer,
  meta: Omit<AuditArchiveMeta, "id" | "chunks" | "bytes" | "sha256">,
): Promise<AuditArchiveMeta> {
  const pk = archiveKeys.pk(tenantId, archiveId);
  const chunks = Math.max(1, Math.ceil(gzip.length / ARCHIVE_CHUNK_BYTES));
  for (let n = 0; n < chunks; n++) {
    const data = gzip.subarray(n * ARCHIVE_CHUNK_BYTES, (n + 1) * ARCHIVE_CHUNK_BYTES).toString("base64");
    await transact([newItemPut({ PK: pk, SK: archiveKeys.chunk(n), type: "AuditArchiveChunk", data })]);
  }
  const full: AuditArchiveMeta = {
    ...meta,
    id: archiveId,
    chunks,
    bytes: gzip.length,
    sha256: createHash("sha256").update(gzip).digest("hex"),
  };
  await transact([newItemPut({ PK: pk, SK: archiveKeys.meta, type: "AuditArchive", ...full })]);
  return full;
}

/** The gzip bytes of a complete archive, or undefined when there is none of that id. */
export async function readAuditArchive(
  tenantId: string,
  archiveId: string,
): Promise<{ meta: AuditArchiveMeta; gzip: Buffer } | undefined> {
  const pk = archiveKeys.pk(tenantId, archiveId);
  const items = await queryAll({ tenantId, pk });
  const metaItem = items.find((i) => i.SK === archiveKeys.meta);
  if (!metaItem) return undefined;
  const meta = AuditArchiveMeta.parse(metaItem);
  const chunks = items
    .filter((i) => String(i.SK).startsWith("CHUNK#"))
    .sort((a, b) => String(a.SK).localeCompare(String(b.SK)))
    .map((i) => Buffer.from(String(i.data), "base64"));
  const gzip = Buffer.concat(chunks);
  if (createHash("sha256").update(gzip).digest("hex") !== meta.sha256)
    throw new Error(`audit archive ${archiveId} is corrupt`);
  return { meta, gzip };
}

export interface ActivityEntry {
  timestamp: string;
  action: string;
  ip: string | null;
  status: string;
}

/**
 * A user's last audit events as actor, newest first: day partitions are read backwards from
 * today (at most `maxDays`, never before the trail's first day) until `limit` are found.
 */
export async function recentActivityOf(
  tenantId: string,
  userId: number,
  opts: { limit: number; maxDays: number },
): Promise<ActivityEntry[]> {
  const head = await getItem(auditKeys.head(tenantId));
  const firstDay = typeof head?.firstDay === "string" ? head.firstDay : undefined;
  if (!firstDay) return [];
  const out: ActivityEntry[] = [];
  const today = new Date();
  for (let back = 0; back < opts.maxDays && out.length < opts.limit; back++) {
    const day = new Date(today.getTime() - back * 86_400_000).toISOString().slice(0, 10);
    if (day < firstDay) break;
    let cursor: string | null = null;
    do {
      const page = await queryPage({
        tenantId,
        pk: auditKeys.dayPk(tenantId, day),
        descending: true,
        cursor,
        limit: 500,
        filter: {
          FilterExpression: "#uid = :uid",
          ExpressionAttributeNames: { "#uid": "user_id" },
          ExpressionAttributeValues: { ":uid": userId },
        },
      });
      for (const r of page.items) {
        if (out.length >= opts.limit) break;
        out.push({
          timestamp: String(r.timestamp),
          action: String(r.event_type),
          ip: typeof r.ip_address === "string" ? r.ip_address : null,
          status: String(r.status),
        });
      }
      cursor = page.cursor;
    } while (cursor && out.length < opts.limit);
  }
  return out;
}
