/**
 * The audit trail: append-only and hash-chained per tenant. Each record carries the hash of the
 * one before it; the chain head (last sequence number and hash) is one item, advanced in the same
 * transaction as the records, so two writers can never fork the chain (the loser retries).
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { Conflict } from "#shared/errors.ts";
import { keys } from "./keys.ts";
import { getItem, type Item, newItemPut, queryAll, transact, versionedUpdateItem } from "./repo.ts";

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

const Head = z.object({ seq: z.number(), hash: z.string(), firstDay: z.string(), version: z.number() });

export async function appendAudit(tenantId: string, entries: AuditEntry[]): Promise<AuditRecord[]> {
  if (entries.length === 0) return [];
  for (let attempt = 0; ; attempt++) {
    const headItem = await getItem(keys.auditHead(tenantId), true);
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
      ? versionedUpdateItem(keys.auditHead(tenantId), head.version, headChange)
      : newItemPut({ ...keys.auditHead(tenantId), ...headChange, firstDay: day });
    const puts = records.map((r) =>
      newItemPut({ PK: keys.auditDayPk(tenantId, day), SK: keys.auditSk(r.timestamp, r.seq), type: "Audit", ...r }),
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

/** Records between two instants, newest first, reading one partition per UTC day in the range. */
export async function readAudit(tenantId: string, from: Date, to: Date): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (let d = new Date(`${dayOf(to)}T00:00:00Z`); d.getTime() >= new Date(`${dayOf(from)}T00:00:00Z`).getTime(); ) {
    const items = await queryAll({
      tenantId,
      pk: keys.auditDayPk(tenantId, dayOf(d)),
      skBetween: [from.toISOString(), `${to.toISOString()}~`],
      descending: true,
    });
    out.push(...items.map((i: Item) => AuditRecord.parse(i)));
    d = new Date(d.getTime() - 86_400_000);
  }
  return out;
}

export interface ChainReport {
  intact: boolean;
  checked: number;
  /** The first record whose hash or link does not match, if any. */
  brokenAt?: { seq: number; id: string; reason: string };
}

/** Walks the whole chain from the first day to the head and reports the first break. */
export async function verifyAuditChain(tenantId: string): Promise<ChainReport> {
  const headItem = await getItem(keys.auditHead(tenantId), true);
  if (!headItem) return { intact: true, checked: 0 };
  const head = Head.parse(headItem);
  const records = (await readAudit(tenantId, new Date(`${head.firstDay}T00:00:00Z`), new Date())).reverse();
  let prev = GENESIS;
  let expectedSeq = 1;
  for (const r of records) {
    if (r.seq !== expectedSeq)
      return {
        intact: false,
        checked: expectedSeq - 1,
        brokenAt: { seq: r.seq, id: r.id, reason: `missing record ${expectedSeq}` },
      };
    const { hash, ...rest } = r;
    if (r.prevHash !== prev)
      return {
        intact: false,
        checked: expectedSeq - 1,
        brokenAt: { seq: r.seq, id: r.id, reason: "link to previous record broken" },
      };
    if (recordHash(rest) !== hash)
      return {
        intact: false,
        checked: expectedSeq - 1,
        brokenAt: { seq: r.seq, id: r.id, reason: "record content altered" },
      };
    prev = hash;
    expectedSeq++;
  }
  if (expectedSeq - 1 !== head.seq || prev !== head.hash) {
    return {
      intact: false,
      checked: expectedSeq - 1,
      brokenAt: { seq: expectedSeq, id: `audit-${expectedSeq}`, reason: "records missing before the head" },
    };
  }
  return { intact: true, checked: head.seq };
}
