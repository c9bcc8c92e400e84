/**
 * The audit trail: append-only, hash-chained per tenant, without a per-tenant lock.
 *
 * Writing (the request path): each record is ONE conditional PutItem with a sortable unique id
 * (`audit-<ULID>`: 48-bit time + 80 random bits) and the SHA-256 of its own content (`hash`). No
 * head is read and nothing is shared between writers, so concurrent writers of one tenant never
 * queue or retry. A new record carries `GSI1PK = T#<tenant>#AUDIT#UNLINKED` (sparse: only
 * unlinked records are in that index partition).
 *
 * Linking (the table-stream worker functions/workers/audit-linker.ts, `linkAuditChain`): the
 * linker reads the tenant's unlinked records (the index, plus the stream batch's own inserts),
 * sorts them by id and links them: `seq`, `prevHash` (the previous record's chain value) and
 * `chainHash = sha256(seq:prevHash:hash)`, and moves them to the chain index
 * (`GSI1PK = T#<tenant>#AUDIT#CHAIN`, `GSI1SK = seq`). The head (last seq and chain value) is
 * advanced in the same transaction under a version condition, and each record's update requires
 * `attribute_not_exists(seq)`, so two linkers can never fork the chain (the loser re-reads).
 * Every `AUDIT_CHECKPOINT_EVERY` records the linker writes a checkpoint (seq, chain value).
 *
 * Ordering guarantee: records are linked in id order within one linker run. A record that
 * arrives after newer ones were linked (a write delayed, or a container clock behind) is linked
 * at the tip when it arrives ("arrival order"); its `id`/`timestamp` still say when it was written,
 * its `seq` says when it was linked. No record is ever left out: the linker takes every unlinked
 * record of the tenant, however old, and a record still unlinked `LINK_GRACE_MS` after it was
 * written is itself a verification finding.
 *
 * Verifying (`verifyAuditChain`): reads the chain index from the newest checkpoint (incremental)
 * or from the clear anchor (full), in seq order, and recomputes every content hash and link; a
 * missing seq, an altered field, a checkpoint that disagrees, a head the records do not reach, or
 * a stale unlinked record is reported.
 *
 * Clearing old records (gateway "Clear Audit Log") removes a linked prefix of the chain: the head
 * first records `archivedThrough` (seq and chain value of the last removed record), then the
 * records go; the chain is verified from that anchor.
 *
 * Keys:
 *   T#<tenant>#AUDIT / HEAD                        chain head (written by the linker; the anchor by a clear)
 *   T#<tenant>#AUDIT / CKPT#<seq:12>               checkpoints (written by the linker only)
 *   T#<tenant>#AUDIT#<yyyy-mm-dd> / <timestamp>#<ULID>   one record (sharded by UTC day)
 *   GSI1: T#<tenant>#AUDIT#UNLINKED / <timestamp>#<ULID> until linked, then T#<tenant>#AUDIT#CHAIN / <seq:12>
 */
import { createHash, randomBytes } from "node:crypto";
import * as z from "zod/mini";
import { Conflict } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { tableName } from "#shared/table/client.ts";
import { pad, tenantPk } from "#shared/table/keys.ts";
import {
  deletePut,
  getItem,
  type Item,
  newItemPut,
  putNew,
  queryAll,
  queryPage,
  transact,
  updateVersioned,
  versionedUpdateItem,
} from "#shared/table/repo.ts";

type TransactItem = ReturnType<typeof newItemPut>;

export const auditKeys = {
  head: (tenantId: string) => ({ PK: `${tenantPk(tenantId)}#AUDIT`, SK: "HEAD" }),
  checkpoint: (tenantId: string, seq: number) => ({ PK: `${tenantPk(tenantId)}#AUDIT`, SK: `CKPT#${pad(seq, 12)}` }),
  dayPk: (tenantId: string, day: string) => `${tenantPk(tenantId)}#AUDIT#${day}`,
  /** A record's sort key: its timestamp, then the random-unique part of its id. */
  sk: (timestamp: string, id: string) => `${timestamp}#${id.replace(/^audit-/, "")}`,
  /** GSI1 partition of the records not linked yet (sort key: the record's SK). */
  unlinked: (tenantId: string) => `${tenantPk(tenantId)}#AUDIT#UNLINKED`,
  /** GSI1 partition of the linked records (sort key: seq, zero-padded). */
  chain: (tenantId: string) => `${tenantPk(tenantId)}#AUDIT#CHAIN`,
} as const;

/** The stored key of a record. */
export const auditRecordKey = (tenantId: string, r: Pick<AuditRecord, "timestamp" | "id">) => ({
  PK: auditKeys.dayPk(tenantId, r.timestamp.slice(0, 10)),
  SK: auditKeys.sk(r.timestamp, r.id),
});

/**
 * What request functions may write: records in the day partitions, nothing else (the head and the
 * checkpoints, `T#<tenant>#AUDIT`, are the linker's). As IAM `dynamodb:LeadingKeys` patterns.
 */
export const AUDIT_DAY_PARTITION_PATTERNS = ["T#*#AUDIT#*"] as const;
/** The partitions the linker writes (head, checkpoints, and the records it links). */
export const AUDIT_PARTITION_PATTERNS = ["T#*#AUDIT", "T#*#AUDIT#*"] as const;

/**
 * One tenant's audit partitions (`tenant` may be an IAM policy variable): the head and checkpoints
 * `T#<tenant>#AUDIT` and the day partitions `T#<tenant>#AUDIT#<day>`. Tenant ids hold no `#`, so
 * these match no other partition of the tenant (`T#<tenant>#AUDITARCHIVE#…` included: archives are
 * ordinary tenant data).
 */
export const tenantAuditPartitions = (tenant: string): string[] => [`T#${tenant}#AUDIT`, `T#${tenant}#AUDIT#*`];
/** One tenant's day partitions: where the append puts a record. */
export const tenantAuditDayPartitions = (tenant: string): string[] => [`T#${tenant}#AUDIT#*`];
/** The chain head and checkpoints of one tenant (a clear moves the anchor in the head). */
export const tenantAuditHeadPartition = (tenant: string): string[] => [`T#${tenant}#AUDIT`];

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

const recordContent = {
  /** `audit-<ULID>`: sortable by time, unique without coordination. */
  id: z.string(),
  timestamp: z.string(),
  user: z.string(),
  user_id: z.nullable(z.number()),
  /**
   * The API key the action came through (its prefix), beside the key's owner in `user`. Absent on
   * actions of a signed-in user (absent, not null, so the content hash covers what is stored).
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
};
const AuditContent = z.object(recordContent);
type AuditContent = z.infer<typeof AuditContent>;

export const AuditRecord = z.object({
  ...recordContent,
  /** SHA-256 of the record's content (every field above), set by the writer. */
  hash: z.string(),
  /** Set by the linker: position in the tenant's chain, the previous chain value, and this one. */
  seq: z.optional(z.number()),
  prevHash: z.optional(z.string()),
  chainHash: z.optional(z.string()),
});
export type AuditRecord = z.infer<typeof AuditRecord>;
/** The attributes a request function writes when it appends a record (the IAM statement allows exactly these). */
export const AUDIT_INSERT_ATTRIBUTES = [
  "PK",
  "SK",
  "GSI1PK",
  "GSI1SK",
  "type",
  "version",
  "hash",
  ...Object.keys(recordContent),
] as const;

const GENESIS = "0".repeat(64);
/** A checkpoint every this many linked records: incremental verification starts at the newest one. */
export const AUDIT_CHECKPOINT_EVERY = 1000;
/** A record still unlinked this long after it was written is a verification finding. */
export const LINK_GRACE_MS = 5 * 60_000;
/** Records linked this recently may not be in the chain index yet (GSIs are eventually consistent). */
const INDEX_LAG_MS = 30_000;

/** Canonical JSON (sorted keys) so the hash does not depend on attribute order in storage. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** The content hash a record carries from its writer. */
export function contentHash(r: AuditContent): string {
  const content: Record<string, unknown> = {};
  for (const k of Object.keys(recordContent)) content[k] = (r as Record<string, unknown>)[k];
  return sha256(canonical(content));
}

/** The chain value of the record at `seq`: binds its position, its predecessor and its content. */
export const chainHash = (seq: number, prevHash: string, hash: string) => sha256(`${seq}:${prevHash}:${hash}`);

// --- ids ---------------------------------------------------------------------------------------

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const base32 = (n: number, width: number) => {
  let out = "";
  for (let t = n, i = 0; i < width; i++, t = Math.floor(t / 32)) out = CROCKFORD[t % 32] + out;
  return out;
};
/**
 * A ULID-shaped id (26 Crockford base32 characters, sortable as text): 10 of milliseconds, 2 of
 * `index` (so the records of one append keep their order), 14 random (70 bits).
 */
export function ulid(ms: number, index = 0): string {
  let rand = "";
  for (const b of randomBytes(14)) rand += CROCKFORD[b % 32];
  return base32(ms, 10) + base32(index, 2) + rand;
}

// --- append (request path) ---------------------------------------------------------------------

/** One conditional PutItem per record (a transaction when one call appends several): no head read, no lock. */
export async function appendAudit(tenantId: string, entries: AuditEntry[]): Promise<AuditRecord[]> {
  if (entries.length === 0) return [];
  const now = new Date();
  const timestamp = now.toISOString();
  const records: AuditRecord[] = entries.map((e, i) => {
    const content: AuditContent = {
      id: `audit-${ulid(now.getTime(), i)}`,
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
    };
    return { ...content, hash: contentHash(content) };
  });
  const items = records.map((r) => {
    const key = auditRecordKey(tenantId, r);
    return { ...key, GSI1PK: auditKeys.unlinked(tenantId), GSI1SK: key.SK, type: "Audit", ...r };
  });
  const [only] = items;
  if (only && items.length === 1) {
    await putNew(only, "Audit record");
  } else {
    for (let i = 0; i < items.length; i += 100) await transact(items.slice(i, i + 100).map((it) => newItemPut(it)));
  }
  return records;
}

// --- head and checkpoints ----------------------------------------------------------------------

const Anchor = z.object({ seq: z.number(), hash: z.string(), day: z.string() });
export type AuditAnchor = z.infer<typeof Anchor>;

const Head = z.object({
  seq: z.number(),
  /** The chain value of the record at `seq`. */
  hash: z.string(),
  firstDay: z.string(),
  /** The last record removed by a clear: verification starts after it. */
  archivedThrough: z._default(z.nullable(Anchor), null),
  /** When the linker last advanced the head. */
  linkedAt: z._default(z.nullable(z.string()), null),
  version: z.number(),
});
export type AuditHead = z.infer<typeof Head>;

const Checkpoint = z.object({ seq: z.number(), hash: z.string(), at: z.string() });
export type AuditCheckpoint = z.infer<typeof Checkpoint>;

export async function getAuditHead(tenantId: string): Promise<AuditHead | undefined> {
  const item = await getItem(auditKeys.head(tenantId), true);
  return item ? Head.parse(item) : undefined;
}

/** Checkpoints with seq in (after, through], oldest first; or only the newest one with `newest`. */
async function checkpoints(
  tenantId: string,
  after: number,
  through: number,
  newest = false,
): Promise<AuditCheckpoint[]> {
  const { PK } = auditKeys.head(tenantId);
  const range: [string, string] = [
    auditKeys.checkpoint(tenantId, after + 1).SK,
    auditKeys.checkpoint(tenantId, through).SK,
  ];
  if (through <= after) return [];
  const items = newest
    ? (await queryPage({ tenantId, pk: PK, skBetween: range, descending: true, limit: 1, consistent: true })).items
    : await queryAll({ tenantId, pk: PK, skBetween: range, consistent: true }, 1_000_000);
  return items.map((i) => Checkpoint.parse(i));
}

// --- linking (the stream consumer) -------------------------------------------------------------

export interface LinkResult {
  linked: number;
  /** The head's seq after linking. */
  seq: number;
  checkpoints: number;
}

/** Items per linking transaction (DynamoDB allows 100: the head, checkpoints, records). */
const LINK_BATCH_ITEMS = 100;
/** Unlinked records read per pass (a longer backlog takes several passes). */
const LINK_READ_LIMIT = 2000;

/**
 * Links every unlinked record of a tenant into its chain, oldest id first, and writes the
 * checkpoints it passes. `hints` are records the caller already holds (a stream batch's inserts),
 * linked too if the index does not show them yet. Safe to run concurrently: a lost race re-reads.
 */
export async function linkAuditChain(
  tenantId: string,
  opts: { hints?: Item[]; checkpointEvery?: number; now?: () => Date } = {},
): Promise<LinkResult> {
  const every = opts.checkpointEvery ?? AUDIT_CHECKPOINT_EVERY;
  const now = opts.now ?? (() => new Date());
  const result: LinkResult = { linked: 0, seq: 0, checkpoints: 0 };
  let hints = opts.hints ?? [];
  for (let conflicts = 0; ; ) {
    const stored = await getAuditHead(tenantId);
    // The head as this run advances it: re-read only after a lost race or when the batch is done.
    let head = stored ? { seq: stored.seq, hash: stored.hash, version: stored.version } : undefined;
    result.seq = head?.seq ?? 0;
    const pending = new Map<string, Item>();
    for (const h of hints) if (h.seq === undefined) pending.set(`${h.PK}|${h.SK}`, h);
    const indexed = await queryAll(
      { tenantId, pk: auditKeys.unlinked(tenantId), index: "GSI1", limit: LINK_READ_LIMIT },
      LINK_READ_LIMIT,
    );
    for (const i of indexed) pending.set(`${i.PK}|${i.SK}`, i);
    const ordered = [...pending.values()].sort((a, b) => String(a.SK).localeCompare(String(b.SK)));
    if (ordered.length === 0) return result;

    let lostRace = false;
    while (ordered.length > 0) {
      let seq = head?.seq ?? 0;
      let prev = head?.hash ?? GENESIS;
      const writes: TransactItem[] = [];
      let taken = 0;
      const budget = LINK_BATCH_ITEMS - 1; // the head
      for (const item of ordered) {
        const next = seq + 1;
        const needsCheckpoint = next % every === 0;
        if (writes.length + 1 + (needsCheckpoint ? 1 : 0) > budget) break;
        const value = chainHash(next, prev, typeof item.hash === "string" ? item.hash : "");
        writes.push(linkUpdate(tenantId, item, next, prev, value));
        if (needsCheckpoint) {
          writes.push(
            newItemPut({
              ...auditKeys.checkpoint(tenantId, next),
              type: "AuditCheckpoint",
              seq: next,
              hash: value,
              at: now().toISOString(),
            }),
          );
        }
        seq = next;
        prev = value;
        taken++;
      }
      const linkedAt = now().toISOString();
      const headWrite = head
        ? versionedUpdateItem(auditKeys.head(tenantId), head.version, { seq, hash: prev, linkedAt })
        : newItemPut({
            ...auditKeys.head(tenantId),
            type: "AuditHead",
            seq,
            hash: prev,
            linkedAt,
            firstDay: String(ordered[0]?.timestamp ?? linkedAt).slice(0, 10),
            archivedThrough: null,
          });
      try {
        await transact([headWrite, ...writes]);
      } catch (e) {
        // Another linker advanced the head, or a record was linked or removed meanwhile: re-read.
        if (!(e instanceof Conflict) || ++conflicts > 20) throw e;
        lostRace = true;
        break;
      }
      const done = ordered.splice(0, taken);
      result.linked += taken;
      result.checkpoints += writes.length - taken;
      result.seq = seq;
      head = { seq, hash: prev, version: (head?.version ?? 0) + 1 };
      hints = hints.filter((h) => !done.includes(h));
    }
    if (lostRace) {
      hints = [];
      await new Promise((r) => setTimeout(r, Math.random() * 20 * Math.min(conflicts, 5)));
    }
  }
}

/** The update that links one record: its chain fields, and its move from the unlinked index to the chain index. */
function linkUpdate(tenantId: string, item: Item, seq: number, prev: string, value: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: { PK: item.PK, SK: item.SK },
      UpdateExpression: "SET #seq = :seq, #prev = :prev, #chain = :chain, #gpk = :gpk, #gsk = :gsk",
      ConditionExpression: "attribute_exists(PK) AND attribute_not_exists(#seq)",
      ExpressionAttributeNames: {
        "#seq": "seq",
        "#prev": "prevHash",
        "#chain": "chainHash",
        "#gpk": "GSI1PK",
        "#gsk": "GSI1SK",
      },
      ExpressionAttributeValues: {
        ":seq": seq,
        ":prev": prev,
        ":chain": value,
        ":gpk": auditKeys.chain(tenantId),
        ":gsk": pad(seq, 12),
      },
    },
  };
}

// --- reading -----------------------------------------------------------------------------------

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
 * Records between two instants, newest first, reading one partition per UTC day in the range:
 * linked records and those the linker has not reached yet (which carry no `seq`). A stored record
 * that no longer parses (altered in the table) is left out here and logged; `verifyAuditChain`
 * reports it.
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

// --- verification ------------------------------------------------------------------------------

export interface ChainReport {
  intact: boolean;
  /** Records verified by this run. */
  checked: number;
  /** Where the chain starts: after the last record removed by a clear, or at the genesis. */
  anchoredAt?: { seq: number };
  /** Where this run started: the newest checkpoint (incremental) or the anchor (full). */
  verifiedFrom?: { seq: number; checkpoint: boolean };
  /** The first record whose hash or link does not match, or a record left unlinked, if any. */
  brokenAt?: { seq: number; id: string; reason: string };
}

/**
 * Verifies the tenant's chain: by default incrementally, from the newest checkpoint (records
 * before it were verified as they were linked, and a full run re-reads them); `full: true` walks
 * from the clear anchor and checks every checkpoint on the way. Reads the chain index in seq
 * order (one Query per 1 MB), never the day partitions.
 */
export async function verifyAuditChain(
  tenantId: string,
  opts: { full?: boolean; now?: Date } = {},
): Promise<ChainReport> {
  const now = opts.now ?? new Date();
  const [head, stale] = await Promise.all([
    getAuditHead(tenantId),
    queryPage({
      tenantId,
      pk: auditKeys.unlinked(tenantId),
      index: "GSI1",
      skBetween: ["0", new Date(now.getTime() - LINK_GRACE_MS).toISOString()],
      limit: 1,
    }),
  ]);
  const [unlinked] = stale.items;
  const unlinkedFinding = (seq: number) =>
    unlinked
      ? {
          seq,
          id: String(unlinked.id),
          reason: `record written at ${String(unlinked.timestamp)} was never linked into the chain`,
        }
      : undefined;
  if (!head) {
    const brokenAt = unlinkedFinding(1);
    return brokenAt ? { intact: false, checked: 0, brokenAt } : { intact: true, checked: 0 };
  }
  const anchor = head.archivedThrough ?? { seq: 0, hash: GENESIS };
  let start = { seq: anchor.seq, hash: anchor.hash, checkpoint: false };
  if (!opts.full) {
    const [newest] = await checkpoints(tenantId, anchor.seq, head.seq, true);
    if (newest) start = { seq: newest.seq, hash: newest.hash, checkpoint: true };
  }
  const [records, marks] = await Promise.all([
    start.seq < head.seq
      ? queryAll(
          {
            tenantId,
            pk: auditKeys.chain(tenantId),
            index: "GSI1",
            skBetween: [pad(start.seq + 1, 12), pad(head.seq, 12)],
          },
          Number.MAX_SAFE_INTEGER,
        )
      : Promise.resolve([]),
    opts.full ? checkpoints(tenantId, start.seq, head.seq) : Promise.resolve([]),
  ]);
  const checkpointAt = new Map(marks.map((c) => [c.seq, c.hash]));
  let prev = start.hash;
  let expected = start.seq + 1;
  const report = (brokenAt?: ChainReport["brokenAt"]): ChainReport => ({
    intact: !brokenAt,
    checked: expected - 1 - start.seq,
    anchoredAt: { seq: anchor.seq },
    verifiedFrom: { seq: start.seq, checkpoint: start.checkpoint },
    ...(brokenAt ? { brokenAt } : {}),
  });
  for (const item of records) {
    const parsed = AuditRecord.safeParse(item);
    const seq = Number(item.seq);
    const id = String(item.id);
    if (seq !== expected) return report({ seq: expected, id: `#${expected}`, reason: `missing record ${expected}` });
    if (!parsed.success) return report({ seq, id, reason: "record unreadable (altered)" });
    const r = parsed.data;
    if (r.prevHash !== prev) return report({ seq, id, reason: "link to previous record broken" });
    if (contentHash(r) !== r.hash) return report({ seq, id, reason: "record content altered" });
    const value = chainHash(seq, prev, r.hash);
    if (r.chainHash !== value) return report({ seq, id, reason: "record chain value altered" });
    const mark = checkpointAt.get(seq);
    if (mark !== undefined && mark !== value) return report({ seq, id, reason: "checkpoint does not match the chain" });
    prev = value;
    expected++;
  }
  if (expected - 1 !== head.seq || prev !== head.hash) {
    // The chain index is eventually consistent: records linked a moment ago may not show yet.
    const fresh = head.linkedAt && now.getTime() - new Date(head.linkedAt).getTime() < INDEX_LAG_MS;
    if (!(fresh && expected - 1 < head.seq)) {
      return report({ seq: expected, id: `#${expected}`, reason: "records missing before the head" });
    }
  }
  return report(unlinkedFinding(head.seq + 1));
}

/**
 * Moves the verification anchor forward to `anchor` (the last record about to be removed).
 * Retries when the linker advanced the head meanwhile; never moves the anchor backwards.
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
  records: Pick<AuditRecord, "timestamp" | "id">[],
): Promise<void> {
  for (let i = 0; i < records.length; i += 100) {
    await transact(records.slice(i, i + 100).map((r) => deletePut(auditRecordKey(tenantId, r))));
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
 * today (at most `maxDays`, never before the trail's first linked day, or yesterday for a trail
 * the linker has not reached yet) until `limit` are found.
 */
export async function recentActivityOf(
  tenantId: string,
  userId: number,
  opts: { limit: number; maxDays: number },
): Promise<ActivityEntry[]> {
  const head = await getItem(auditKeys.head(tenantId));
  const today = new Date();
  const firstDay =
    typeof head?.firstDay === "string" ? head.firstDay : new Date(today.getTime() - DAY_MS).toISOString().slice(0, 10);
  const out: ActivityEntry[] = [];
  for (let back = 0; back < opts.maxDays && out.length < opts.limit; back++) {
    const day = new Date(today.getTime() - back * DAY_MS).toISOString().slice(0, 10);
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
