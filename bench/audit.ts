/**
 * Audit figures for `npm run bench` (or alone: `npx tsx bench/audit.ts`, which starts its own
 * DynamoDB Local):
 * - audited writes per second for ONE tenant with 20 concurrent writers, before (the previous
 *   code path, kept below verbatim as `appendAuditLocked`: read the chain head, write head +
 *   record in a transaction, retry on conflict) and after (one PutItem), and how fast the linker
 *   then links what was written;
 * - verification of a 10,000-record history: full (from the anchor) against incremental (from
 *   the newest checkpoint).
 * Figures are printed, never asserted.
 */
import { createHash, randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pct } from "./stats.ts";

const WRITERS = 20;
const WRITES_PER_WRITER = 25;
const HISTORY = 10_000;

const entry = (i: number) => ({
  event: "Firewall Rule Added",
  eventType: "firewall_rule_added",
  resource: `/api/firewall/rules/${i}`,
  status: "success" as const,
  user: "bench",
  ip: "10.0.0.1",
  details: { rule: i },
});

/** The append path before issue 16 (shared/audit/db/trail.ts at 6ec458b), for the side-by-side figure. */
async function appendAuditLocked(tenantId: string, entries: ReturnType<typeof entry>[]): Promise<number> {
  const { Conflict } = await import("#shared/kit/errors.ts");
  const { getItem, newItemPut, transact, versionedUpdateItem } = await import("#shared/table/repo.ts");
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  const headKey = { PK: `T#${tenantId}#AUDIT`, SK: "HEAD" };
  const canonical = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (v && typeof v === "object") {
      return `{${Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(",")}}`;
    }
    return JSON.stringify(v ?? null);
  };
  for (let attempt = 0; ; attempt++) {
    const head = await getItem(headKey, true);
    const timestamp = new Date().toISOString();
    const day = timestamp.slice(0, 10);
    let seq = Number(head?.seq ?? 0);
    let prevHash = String(head?.hash ?? "0".repeat(64));
    const records = entries.map((e) => {
      seq += 1;
      const base = {
        id: `audit-${seq}`,
        seq,
        timestamp,
        user: e.user,
        user_id: null,
        event: e.event,
        event_type: e.eventType,
        resource: e.resource,
        ip_address: e.ip,
        user_agent: null,
        status: e.status,
        details: e.details,
        severity: "info",
        prevHash,
      };
      const hash = createHash("sha256").update(canonical(base)).digest("hex");
      prevHash = hash;
      return { ...base, hash };
    });
    const change = { type: "AuditHead", seq, hash: prevHash };
    const headWrite = head
      ? versionedUpdateItem(headKey, Number(head.version), change)
      : newItemPut({ ...headKey, ...change, firstDay: day });
    const puts = records.map((r) =>
      newItemPut({ PK: `T#${tenantId}#AUDIT#${day}`, SK: `${r.timestamp}#${pad(r.seq, 12)}`, type: "Audit", ...r }),
    );
    try {
      await transact([headWrite, ...puts]);
      return attempt;
    } catch (e) {
      if (!(e instanceof Conflict) || attempt >= 8) throw e;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}

/** 20 writers, each appending `WRITES_PER_WRITER` records one at a time; per-write latencies. */
async function concurrentWriters(write: (i: number) => Promise<number>) {
  const latencies: number[] = [];
  let retries = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; i < WRITES_PER_WRITER; i++) {
        const t0 = performance.now();
        try {
          retries += await write(w * WRITES_PER_WRITER + i);
        } catch {
          failures += 1;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const ok = WRITERS * WRITES_PER_WRITER - failures;
  return {
    perSecond: Math.round(ok / seconds),
    p50: Math.round(pct(latencies, 50)),
    p99: Math.round(pct(latencies, 99)),
    retries,
    failures,
  };
}

export async function benchAudit(): Promise<void> {
  const { appendAudit, linkAuditChain, verifyAuditChain } = await import("#shared/audit/db/trail.ts");
  const { dbCalls, resetDbCalls } = await import("#shared/table/client.ts");
  console.log(`\nAudit trail (one tenant, ${WRITERS} concurrent writers × ${WRITES_PER_WRITER} audited writes):`);

  const before = await concurrentWriters((i) => appendAuditLocked(`bench-audit-old-${runId}`, [entry(i)]));
  console.log(
    `  before (head read + transaction, retry on conflict): ${before.perSecond} writes/s, p50 ${before.p50} ms, p99 ${before.p99} ms, ${before.retries} retries, ${before.failures} failed after 8 retries`,
  );
  const tenant = `bench-audit-new-${runId}`;
  const after = await concurrentWriters(async (i) => {
    await appendAudit(tenant, [entry(i)]);
    return 0;
  });
  console.log(
    `  after (one PutItem, no lock):                      ${after.perSecond} writes/s, p50 ${after.p50} ms, p99 ${after.p99} ms, ${after.retries} retries, ${after.failures} failed`,
  );
  console.log(
    `  speed-up: ×${(after.perSecond / Math.max(1, before.perSecond)).toFixed(1)} (target: writers of one tenant do not queue)`,
  );
  const t0 = performance.now();
  const linked = await linkAuditChain(tenant);
  const linkMs = performance.now() - t0;
  console.log(
    `  linker: ${linked.linked} records linked in ${Math.round(linkMs)} ms (${Math.round(linked.linked / (linkMs / 1000))} records/s, up to 98 per transaction); chain ${JSON.stringify(await verifyAuditChain(tenant, { full: true }).then((r) => r.intact))}`,
  );

  // A long history: 10,000 records, linked with a checkpoint every 1,000.
  const long = `bench-audit-long-${runId}`;
  for (let i = 0; i < HISTORY; i += 100) {
    await appendAudit(
      long,
      Array.from({ length: 100 }, (_, j) => entry(i + j)),
    );
  }
  const linkedLong = await linkAuditChain(long);
  const timed = async (full: boolean) => {
    const runs: number[] = [];
    let calls = 0;
    let checked = 0;
    for (let i = 0; i < 3; i++) {
      resetDbCalls();
      const s = performance.now();
      const r = await verifyAuditChain(long, { full });
      runs.push(performance.now() - s);
      calls = dbCalls().total;
      checked = r.checked;
      if (!r.intact) throw new Error(`bench history does not verify: ${JSON.stringify(r)}`);
    }
    return { ms: Math.round(pct(runs, 50)), calls, checked };
  };
  // Records after the newest checkpoint: what an incremental run re-reads.
  await appendAudit(
    long,
    Array.from({ length: 57 }, (_, j) => entry(HISTORY + j)),
  );
  await linkAuditChain(long);
  const full = await timed(true);
  const incremental = await timed(false);
  // How much of a full run is reading the chain index (DynamoDB Local) rather than hashing.
  const { auditKeys } = await import("#shared/audit/db/trail.ts");
  const { queryAll } = await import("#shared/table/repo.ts");
  const readStart = performance.now();
  const read = await queryAll({ tenantId: long, pk: auditKeys.chain(long), index: "GSI1" }, 1_000_000);
  const readMs = Math.round(performance.now() - readStart);
  console.log(
    `  verify ${linkedLong.seq + 57} records (${linkedLong.checkpoints} checkpoints): full ${full.ms} ms (${full.checked} records, ${full.calls} DynamoDB calls; reading the ${read.length} index items alone: ${readMs} ms); incremental ${incremental.ms} ms (${incremental.checked} records since the newest checkpoint, ${incremental.calls} calls) — median of 3`,
  );
}

const runId = randomUUID().slice(0, 8);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { useBenchEnvironment } = await import("./env.ts");
  const { stop } = await useBenchEnvironment("warden-bench-audit");
  try {
    await benchAudit();
  } finally {
    await stop();
  }
}
