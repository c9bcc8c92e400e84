/**
 * The audit chain without a per-tenant lock: appends are single PutItems that never conflict; the
 * table-stream linker links records in id order (late ones at the tip), writes checkpoints, and
 * cannot fork a chain when two run at once; verification (incremental from the newest checkpoint,
 * or full from the anchor) reports altered, removed and never-linked records.
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handler as linkerHandler } from "#functions/workers/audit-linker.ts";
import {
  type AuditEntry,
  type AuditRecord,
  appendAudit,
  auditKeys,
  auditRecordKey,
  LINK_GRACE_MS,
  linkAuditChain,
  readAudit,
  verifyAuditChain,
} from "#shared/audit/db/trail.ts";
import { auditRecordsFromStream } from "#shared/audit/trail.ts";
import { db, dbCalls, resetDbCalls, tableName } from "#shared/table/client.ts";

const HOUR = 3_600_000;
const tenant = () => `chain-${randomUUID().slice(0, 8)}`;
const entry = (n: number): AuditEntry => ({
  event: "Rule Added",
  eventType: "firewall_rule_added",
  resource: `/api/firewall/rules/${n}`,
  status: "success",
  user: "admin",
  details: { n },
});
const all = (tenantId: string) => readAudit(tenantId, new Date(Date.now() - 48 * HOUR), new Date(Date.now() + HOUR));
const bySeq = (records: AuditRecord[]) => [...records].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));

async function setField(tenantId: string, r: AuditRecord, field: string, value: unknown) {
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: auditRecordKey(tenantId, r),
      UpdateExpression: "SET #f = :v",
      ExpressionAttributeNames: { "#f": field },
      ExpressionAttributeValues: { ":v": value },
    }),
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe("appending", () => {
  it("lets 20 concurrent writers of one tenant append with one PutItem each, no read, no conflict", async () => {
    const t = tenant();
    resetDbCalls();
    const written = await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(t, [entry(i)])));
    const calls = dbCalls();
    expect(calls.byCommand).toEqual({ PutItemCommand: 20 });
    const ids = written.flat().map((r) => r.id);
    expect(new Set(ids).size).toBe(20);
    for (const id of ids) expect(id).toMatch(/^audit-[0-9A-HJKMNP-TV-Z]{26}$/);
    // Unlinked records are readable at once, without chain fields.
    const stored = await all(t);
    expect(stored).toHaveLength(20);
    for (const r of stored) expect(r.seq).toBeUndefined();
  });

  it("keeps the order of the records of one append in their ids", async () => {
    const t = tenant();
    const records = await appendAudit(t, [entry(1), entry(2), entry(3)]);
    expect(records.map((r) => r.id)).toEqual([...records.map((r) => r.id)].sort());
  });
});

describe("linking", () => {
  it("links every record in id order with contiguous seqs, and the chain verifies", async () => {
    const t = tenant();
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(t, [entry(i)])));
    const result = await linkAuditChain(t);
    expect(result).toMatchObject({ linked: 20, seq: 20 });
    const chain = bySeq(await all(t));
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(chain.map((r) => r.id)).toEqual([...chain.map((r) => r.id)].sort());
    expect(chain[0]?.prevHash).toBe("0".repeat(64));
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.prevHash).toBe(chain[i - 1]?.chainHash);
    expect(await verifyAuditChain(t, { full: true })).toMatchObject({ intact: true, checked: 20 });
    // Nothing left to link: a second run changes nothing.
    expect(await linkAuditChain(t)).toMatchObject({ linked: 0, seq: 20 });
  });

  it("never forks the chain when two linkers run at once over more than one transaction's worth", async () => {
    const t = tenant();
    for (let i = 0; i < 3; i++)
      await appendAudit(
        t,
        Array.from({ length: 80 }, (_, j) => entry(i * 80 + j)),
      );
    const [a, b] = await Promise.all([linkAuditChain(t), linkAuditChain(t)]);
    expect((a?.linked ?? 0) + (b?.linked ?? 0)).toBe(240);
    const chain = bySeq(await all(t));
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    expect(await verifyAuditChain(t, { full: true })).toMatchObject({ intact: true, checked: 240 });
  });

  it("links a record that arrives after newer ones at the tip, keeping its own id and timestamp", async () => {
    const t = tenant();
    await appendAudit(t, [entry(1), entry(2)]);
    await linkAuditChain(t);
    // A writer whose clock is ten minutes behind (or whose write was delayed) appends now.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(Date.now() - 10 * 60_000));
    const [late] = await appendAudit(t, [entry(3)]);
    vi.useRealTimers();
    await linkAuditChain(t);
    const chain = bySeq(await all(t));
    expect(chain.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(chain[2]?.id).toBe(late?.id);
    expect(String(late?.id) < String(chain[0]?.id)).toBe(true);
    expect(await verifyAuditChain(t, { full: true })).toMatchObject({ intact: true, checked: 3 });
  });

  it("links the records a stream batch carries (the deployed worker's entry point)", async () => {
    const t = tenant();
    const records = await appendAudit(t, [entry(1), entry(2)]);
    const images = records.map((r) => ({
      ...auditRecordKey(t, r),
      type: "Audit",
      GSI1PK: auditKeys.unlinked(t),
      GSI1SK: auditRecordKey(t, r).SK,
      version: 1,
      ...r,
    }));
    const event = {
      Records: images.map((image, i) => ({
        eventID: String(i),
        eventName: "INSERT",
        dynamodb: { NewImage: marshall(image, { removeUndefinedValues: true }) },
      })),
    } as unknown as DynamoDBStreamEvent;
    // The webhook reader sees the same records in the same batch, unlinked.
    expect(auditRecordsFromStream(event).map((x) => x.record)).toEqual(records);
    await linkerHandler(event);
    expect(bySeq(await all(t)).map((r) => [r.id, r.seq])).toEqual(records.map((r, i) => [r.id, i + 1]));
  });
});

describe("verification", () => {
  it("reports a linked record removed from the table", async () => {
    const t = tenant();
    await appendAudit(t, [entry(1), entry(2), entry(3)]);
    await linkAuditChain(t);
    const [, second] = bySeq(await all(t));
    if (!second) throw new Error("expected three records");
    await db.send(new DeleteCommand({ TableName: tableName, Key: auditRecordKey(t, second) }));
    expect(await verifyAuditChain(t)).toMatchObject({
      intact: false,
      brokenAt: { seq: 2, reason: "missing record 2" },
    });
  });

  it("reports the newest records removed once the index has had time to show them", async () => {
    const t = tenant();
    await appendAudit(t, [entry(1), entry(2), entry(3)]);
    await linkAuditChain(t);
    const last = bySeq(await all(t)).at(-1);
    if (!last) throw new Error("expected three records");
    await db.send(new DeleteCommand({ TableName: tableName, Key: auditRecordKey(t, last) }));
    expect(await verifyAuditChain(t, { now: new Date(Date.now() + 60_000) })).toMatchObject({
      intact: false,
      brokenAt: { seq: 3, reason: "records missing before the head" },
    });
  });

  it("reports a record overwritten by a plain PutItem (its chain fields gone)", async () => {
    const t = tenant();
    await appendAudit(t, [entry(1), entry(2)]);
    await linkAuditChain(t);
    const [first] = bySeq(await all(t));
    if (!first) throw new Error("expected two records");
    // What a request role could do: replace the record with other content and no chain fields.
    const { seq: _s, prevHash: _p, chainHash: _c, ...content } = first;
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: auditRecordKey(t, first),
        UpdateExpression: "SET #gpk = :gpk, #gsk = :gsk, #r = :r REMOVE #seq, #prev, #chain",
        ExpressionAttributeNames: {
          "#gpk": "GSI1PK",
          "#gsk": "GSI1SK",
          "#r": "resource",
          "#seq": "seq",
          "#prev": "prevHash",
          "#chain": "chainHash",
        },
        ExpressionAttributeValues: {
          ":gpk": auditKeys.unlinked(t),
          ":gsk": auditRecordKey(t, first).SK,
          ":r": `${content.resource}-forged`,
        },
      }),
    );
    expect(await verifyAuditChain(t)).toMatchObject({
      intact: false,
      brokenAt: { seq: 1, reason: "missing record 1" },
    });
  });

  it("reports a record the linker never reached once the grace period is over, not before", async () => {
    const t = tenant();
    await appendAudit(t, [entry(1)]);
    await linkAuditChain(t);
    const [unlinked] = await appendAudit(t, [entry(2)]);
    expect(await verifyAuditChain(t)).toMatchObject({ intact: true });
    expect(await verifyAuditChain(t, { now: new Date(Date.now() + LINK_GRACE_MS + 1000) })).toMatchObject({
      intact: false,
      brokenAt: { seq: 2, id: unlinked?.id, reason: expect.stringContaining("never linked") },
    });
  });

  it("reports altered chain fields and altered content", async () => {
    const t = tenant();
    await appendAudit(t, [entry(1), entry(2), entry(3)]);
    await linkAuditChain(t);
    const [first, second] = bySeq(await all(t));
    if (!first || !second) throw new Error("expected three records");
    // Content and its own hash changed together: the chain value no longer matches.
    const forged = { ...second, details: { n: 99 } };
    const { contentHash } = await import("#shared/audit/db/trail.ts");
    await setField(t, second, "details", forged.details);
    await setField(t, second, "hash", contentHash(forged));
    expect(await verifyAuditChain(t, { full: true })).toMatchObject({
      intact: false,
      brokenAt: { seq: 2, id: second.id, reason: "record chain value altered" },
    });
    await setField(t, first, "prevHash", "f".repeat(64));
    expect(await verifyAuditChain(t, { full: true })).toMatchObject({
      intact: false,
      brokenAt: { seq: 1, reason: "link to previous record broken" },
    });
  });
});

describe("checkpoints", () => {
  async function longTrail(n: number, every: number) {
    const t = tenant();
    for (let i = 0; i < n; i += 50)
      await appendAudit(
        t,
        Array.from({ length: Math.min(50, n - i) }, (_, j) => entry(i + j)),
      );
    const result = await linkAuditChain(t, { checkpointEvery: every });
    return { t, result };
  }

  it("are written every N records; incremental verification starts at the newest and reads only what follows", async () => {
    const { t, result } = await longTrail(125, 50);
    expect(result).toMatchObject({ linked: 125, checkpoints: 2 });
    resetDbCalls();
    const incremental = await verifyAuditChain(t);
    const incrementalCalls = dbCalls().total;
    expect(incremental).toMatchObject({ intact: true, checked: 25, verifiedFrom: { seq: 100, checkpoint: true } });
    const full = await verifyAuditChain(t, { full: true });
    expect(full).toMatchObject({ intact: true, checked: 125, verifiedFrom: { seq: 0, checkpoint: false } });
    // Head, stale-unlinked probe, newest checkpoint, one page of the chain index.
    expect(incrementalCalls).toBeLessThanOrEqual(4);
  });

  it("an alteration behind the newest checkpoint is found by a full verification; a forged checkpoint by either", async () => {
    const { t } = await longTrail(60, 20);
    const chain = bySeq(await all(t));
    const fifth = chain[4];
    if (!fifth) throw new Error("expected 60 records");
    await setField(t, fifth, "user", "mallory");
    // Incremental trusts what the newest checkpoint (seq 60) covers; full re-reads from the anchor.
    expect(await verifyAuditChain(t)).toMatchObject({ intact: true, verifiedFrom: { seq: 60 } });
    expect(await verifyAuditChain(t, { full: true })).toMatchObject({
      intact: false,
      brokenAt: { seq: 5, id: fifth.id, reason: "record content altered" },
    });

    const { t: t2 } = await longTrail(50, 20);
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: auditKeys.checkpoint(t2, 40),
        UpdateExpression: "SET #h = :h",
        ExpressionAttributeNames: { "#h": "hash" },
        ExpressionAttributeValues: { ":h": "a".repeat(64) },
      }),
    );
    expect(await verifyAuditChain(t2)).toMatchObject({
      intact: false,
      brokenAt: { seq: 41, reason: "link to previous record broken" },
    });
    expect(await verifyAuditChain(t2, { full: true })).toMatchObject({
      intact: false,
      brokenAt: { seq: 40, reason: "checkpoint does not match the chain" },
    });
  });
});
