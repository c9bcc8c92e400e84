/**
 * Local mode's table stream: polls DynamoDB Local's own Streams API (the table is created with a
 * NEW_AND_OLD_IMAGES stream, infra/local/dynamodb-local.ts) and hands every "table-stream" worker
 * of infra/workers.ts its records, as Lambda's event source mapping does in AWS: per shard, in
 * order, in batches, each worker only the records its `streamFilter(s)` match (`matchesFilter`:
 * the subset of Lambda's filter-pattern syntax the workers use). So outgoing webhooks, GRC
 * evidence, the realtime fan-out and the billing meters run under `npm start` exactly as deployed.
 *
 * Differences from Lambda, on purpose: a worker that throws is logged and its batch is not
 * retried (a local server must not stall on one bad receiver); iteration starts at the stream's
 * LATEST position (what happened before this start is not replayed).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";

export interface StreamWorker {
  id: string;
  /** Lambda event filter patterns, ORed; none = every record. */
  filters: Record<string, unknown>[];
  handler: (event: DynamoDBStreamEvent) => Promise<unknown>;
}

export interface TableStream {
  /** Resolves once every record written before the call has been handed to the workers. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Lambda event filtering (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html)

/**
 * True when `value` matches `pattern`: every key of the pattern must match; a nested object
 * recurses; an array lists alternatives (a literal equal to the value, or one of `{prefix}`,
 * `{exists}`, `{"anything-but": […]}`, `{numeric: [op, n, …]}`).
 */
export function matchesFilter(value: unknown, pattern: Record<string, unknown>): boolean {
  const v = (value ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([key, p]) => {
    const field = typeof v === "object" ? v[key] : undefined;
    if (Array.isArray(p)) return p.some((alt) => matchesAlternative(field, alt));
    if (p && typeof p === "object") return field !== undefined && matchesFilter(field, p as Record<string, unknown>);
    throw new Error(`filter pattern: '${key}' must be an array or an object`);
  });
}

function matchesAlternative(field: unknown, alt: unknown): boolean {
  if (alt === null || typeof alt !== "object") return field === alt;
  const rule = alt as Record<string, unknown>;
  if ("exists" in rule) return rule.exists ? field !== undefined : field === undefined;
  if (field === undefined) return false;
  if ("prefix" in rule) return typeof field === "string" && field.startsWith(String(rule.prefix));
  if ("anything-but" in rule) {
    const no = rule["anything-but"];
    return !(Array.isArray(no) ? no : [no]).includes(field);
  }
  if ("numeric" in rule && Array.isArray(rule.numeric)) {
    const n = Number(field);
    const ops = rule.numeric as (string | number)[];
    for (let i = 0; i + 1 < ops.length; i += 2) {
      const [op, x] = [ops[i], Number(ops[i + 1])];
      const ok = op === "=" ? n === x : op === "<" ? n < x : op === "<=" ? n <= x : op === ">" ? n > x : n >= x;
      if (!ok) return false;
    }
    return true;
  }
  throw new Error(`filter pattern: unsupported rule ${JSON.stringify(alt)}`);
}

// ---------------------------------------------------------------------------------------------

/** A Streams API record in the shape Lambda hands a function (dates as epoch seconds). */
export function toLambdaRecord(r: StreamRecord, streamArn: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord["eventName"],
    eventVersion: r.eventVersion,
    eventSource: "aws:dynamodb",
    awsRegion: r.awsRegion ?? "us-east-1",
    eventSourceARN: streamArn,
    dynamodb: {
      ...(d as DynamoDBRecord["dynamodb"]),
      ApproximateCreationDateTime: d.ApproximateCreationDateTime
        ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
    },
  };
}

interface Shard {
  id: string;
  iterator: string | undefined;
}

export async function startTableStream(opts: {
  endpoint: string;
  tableName: string;
  workers: StreamWorker[];
  /** Between polls of an idle shard. */
  intervalMs?: number;
  batchSize?: number;
  /** Only these records reach the workers (the tests keep to their own tenants). */
  select?: (r: DynamoDBRecord) => boolean;
  onError?: (worker: string, e: Error) => void;
}): Promise<TableStream> {
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  const ddb = new DynamoDBClient({ endpoint: opts.endpoint, region: "us-east-1", credentials });
  const streams = new DynamoDBStreamsClient({ endpoint: opts.endpoint, region: "us-east-1", credentials });
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: opts.tableName }));
  ddb.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${opts.tableName} has no stream (create it with ensureTable)`);
  const interval = opts.intervalMs ?? 50;
  const shards = new Map<string, Shard>();
  const finished = new Set<string>();

  /** Finds new shards: those open at start begin at LATEST, later ones from their start. */
  async function discover(initial: boolean) {
    let start: string | undefined;
    do {
      const out = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      for (const s of out.StreamDescription?.Shards ?? []) {
        const id = s.ShardId;
        if (!id || shards.has(id) || finished.has(id)) continue;
        const open = !s.SequenceNumberRange?.EndingSequenceNumber;
        if (initial && !open) {
          finished.add(id);
          continue;
        }
        const it = await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: id,
            ShardIteratorType: initial ? "LATEST" : "TRIM_HORIZON",
          }),
        );
        shards.set(id, { id, iterator: it.ShardIterator });
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  async function deliver(records: DynamoDBRecord[]) {
    const selected = opts.select ? records.filter(opts.select) : records;
    for (const w of opts.workers) {
      const mine = w.filters.length ? selected.filter((r) => w.filters.some((f) => matchesFilter(r, f))) : selected;
      if (mine.length === 0) continue;
      try {
        await w.handler({ Records: mine });
      } catch (e) {
        (opts.onError ?? ((id, err) => process.stderr.write(`table stream: ${id}: ${err.message}\n`)))(
          w.id,
          e as Error,
        );
      }
    }
  }

  /** One pass over every shard; true when a shard had records. */
  async function pollOnce(): Promise<boolean> {
    let busy = false;
    for (const shard of [...shards.values()]) {
      if (!shard.iterator) {
        shards.delete(shard.id);
        finished.add(shard.id);
        continue;
      }
      const out = await streams.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: opts.batchSize ?? 100 }),
      );
      shard.iterator = out.NextShardIterator;
      const records = (out.Records ?? []).map((r) => toLambdaRecord(r, streamArn as string));
      if (records.length) {
        busy = true;
        await deliver(records);
      }
    }
    return busy;
  }

  await discover(true);
  let stopped = false;
  let passes = 0;
  const waiters: { after: number; resolve: () => void }[] = [];
  const loop = (async () => {
    let sinceDiscover = 0;
    while (!stopped) {
      let busy = false;
      try {
        busy = await pollOnce();
        sinceDiscover += 1;
        if (sinceDiscover >= 20 || shards.size === 0) {
          sinceDiscover = 0;
          await discover(false);
        }
      } catch (e) {
        if (!stopped) process.stderr.write(`table stream: ${(e as Error).message}\n`);
      }
      passes += 1;
      for (const w of waiters.splice(0)) {
        if (!busy && passes > w.after) w.resolve();
        else waiters.push(w);
      }
      if (!busy && !stopped) await new Promise((r) => setTimeout(r, interval));
    }
  })();

  return {
    drain: () => new Promise<void>((resolve) => waiters.push({ after: passes + 1, resolve })),
    async stop() {
      stopped = true;
      await loop;
      for (const w of waiters.splice(0)) w.resolve();
      streams.destroy();
    },
  };
}

/** Every "table-stream" worker of a worker list, its handler imported from its module (after the environment is set). */
export async function tableStreamWorkers(
  root: string,
  list: {
    id: string;
    handler: string;
    trigger: string;
    streamFilter?: Record<string, unknown>;
    streamFilters?: Record<string, unknown>[];
  }[],
): Promise<StreamWorker[]> {
  return Promise.all(
    list
      .filter((w) => w.trigger === "table-stream")
      .map(async (w) => {
        const mod = (await import(pathToFileURL(join(root, w.handler)).href)) as {
          handler: StreamWorker["handler"];
        };
        return { id: w.id, filters: w.streamFilters ?? (w.streamFilter ? [w.streamFilter] : []), handler: mod.handler };
      }),
  );
}
