/**
 * Realtime: latency from a committed change to the frame on a connected socket, locally — the
 * whole path: DynamoDB Local's stream (polled by infra/local/table-stream.ts), the fan-out worker,
 * the `@connections` emulator and the `ws` socket. Two kinds of change: a gateway event as the
 * ingest stores it (a firewall DROP line → `firewall_block`), and an API mutation (an API key
 * generated → `configuration_change` from its audit record). One change at a time, each waited
 * for, so each sample is one change's own latency.
 *
 * And issue 14's path, ingest → anomaly → socket: a gateway (seeded in the table: no IoT Core here)
 * reports an hour of ordinary metrics, a model is trained on them through the real training
 * workflow (local runner), then each anomalous sample goes through the real ingest (stored, scored
 * by the active model, the anomaly stored and audited) and the `anomaly_detected` record reaches a
 * `/ws/logs` socket. Timed from the ingest call's start to the frame; the ingest call's own time too.
 */
import { resolve } from "node:path";
import type { DynamoDBRecord } from "aws-lambda";
import { metricsSample } from "#test/helpers/edge-events.ts";
import { pct } from "./stats.ts";

type Call = typeof import("#test/helpers/api.ts").call;
type NewTenant = typeof import("#test/helpers/api.ts").newTenant;

export interface RealtimeBenchResult {
  ingestToSocket: { n: number; p50Ms: number; p99Ms: number };
  apiChangeToSocket: { n: number; p50Ms: number; p99Ms: number };
  /** A metrics sample's ingest call (store + score + anomaly + audit). */
  anomalyIngest: { n: number; p50Ms: number; p99Ms: number };
  /** From the ingest call's start to the `anomaly_detected` frame on /ws/logs. */
  ingestAnomalyToSocket: { n: number; p50Ms: number; p99Ms: number };
}

export async function benchRealtime(opts: {
  call: Call;
  newTenant: NewTenant;
  samples?: number;
}): Promise<RealtimeBenchResult> {
  const root = resolve(import.meta.dirname, "..");
  const { startApiServer } = await import("#infra/local/api-server.ts");
  const { startTableStream, tableStreamWorkers } = await import("#infra/local/table-stream.ts");
  const { localWebSockets } = await import("#infra/local/websocket-server.ts");
  const { routes } = await import("#infra/routes.ts");
  const { workers } = await import("#infra/workers.ts");
  const { putFirewallLogLines } = await import("#shared/fleet/db/firewall-log.ts");
  const { tableName } = await import("#shared/table/client.ts");
  const { openStream } = await import("#test/helpers/realtime.ts");

  const t = await opts.newTenant("bench-realtime");
  const pk = (r: DynamoDBRecord) => (r.dynamodb?.Keys?.PK as { S?: string } | undefined)?.S ?? "";
  const stream = await startTableStream({
    endpoint: process.env.DYNAMODB_ENDPOINT as string,
    tableName,
    workers: (await tableStreamWorkers(root, workers)).filter((w) => w.id === "workers-realtime-fanout"),
    select: (r) => pk(r).startsWith(`T#${t.tenantId}`),
  });
  const api = await startApiServer({ routes, root, port: 0, websockets: localWebSockets({ routes, root }) });
  try {
    const socket = await openStream(api.url, "/cloud-integration/security/events", { token: t.token });
    const n = opts.samples ?? 100;
    const ingest: number[] = [];
    for (let i = 0; i < n; i++) {
      const port = 10_000 + i;
      await putFirewallLogLines(
        t.tenantId,
        [
          {
            gatewayId: 1,
            timestamp: new Date().toISOString(),
            action: "DROP",
            protocol: "tcp",
            sourceIp: "203.0.113.7",
            destinationIp: "10.0.0.1",
            destinationPort: port,
          },
        ],
        Math.floor(Date.now() / 1000) + 3600,
      );
      const committed = performance.now();
      const f = await socket.next((m) => (m.data as { destination_port?: number }).destination_port === port);
      ingest.push(f.at - committed);
    }
    const apiChange: number[] = [];
    for (let i = 0; i < Math.min(n, 30); i++) {
      const name = `bench-rt-${i}`;
      const res = await opts.call("POST", "/cloud-integration/security/api-keys/generate", {
        token: t.token,
        body: { name, scope: ["gateways:read"] },
      });
      if (res.status !== 201) throw new Error(`api key: ${res.status}`);
      const committed = performance.now();
      const f = await socket.next((m) => m.type === "configuration_change" && JSON.stringify(m.data).includes(name));
      apiChange.push(f.at - committed);
    }
    await socket.close();
    const anomalies = await anomalyPath(opts, t, api.url, Math.min(n, 30));
    const summary = (xs: number[]) => ({
      n: xs.length,
      p50Ms: +pct(xs, 50).toFixed(1),
      p99Ms: +pct(xs, 99).toFixed(1),
    });
    return {
      ingestToSocket: summary(ingest),
      apiChangeToSocket: summary(apiChange),
      anomalyIngest: summary(anomalies.ingest),
      ingestAnomalyToSocket: summary(anomalies.toSocket),
    };
  } finally {
    await api.close();
    await stream.stop();
  }
}

async function anomalyPath(
  opts: { call: Call },
  t: Awaited<ReturnType<NewTenant>>,
  apiUrl: string,
  n: number,
): Promise<{ ingest: number[]; toSocket: number[] }> {
  const root = resolve(import.meta.dirname, "..");
  const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
  const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
  const { putGateway } = await import("#shared/fleet/db/gateways.ts");
  const { ingestFleetEvent, toFleetEvent } = await import("#shared/fleet/ingest.ts");
  const { thingNameOf } = await import("#shared/iot/policy.ts");
  const { createRandom } = await import("#shared/insights/random.ts");
  const { openStream } = await import("#test/helpers/realtime.ts");
  const runner = createLocalRunner({ root });
  useWorkflowRunner(runner);

  const thingName = thingNameOf(t.tenantId, 1);
  await putGateway({
    tenantId: t.tenantId,
    id: 1,
    name: "bench-anomalies",
    description: "",
    location: "",
    thingName,
    thingArn: "",
    certificateId: "bench",
    certificateArn: "bench",
    policyName: "bench",
    createdAt: new Date().toISOString(),
    createdBy: "bench",
  });
  const ingestOne = async (edgeEvent: ReturnType<typeof metricsSample>) => {
    const event = toFleetEvent(edgeEvent as never);
    if ("invalid" in event) throw new Error(`bench sample refused: ${event.invalid}`);
    const r = await ingestFleetEvent(t.tenantId, thingName, event);
    if (!r.stored) throw new Error(`bench sample not stored: ${r.reason}`);
  };
  const r = createRandom(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  for (let i = 0; i < 60; i++) {
    const at = new Date(Date.now() - (60 - i) * 60_000);
    await ingestOne(metricsSample(35 + 3 * normal(), 55 + 3 * normal(), 0.7 + 0.1 * normal(), at));
  }
  const started = await opts.call("POST", "/api/insights/models/train", {
    token: t.token,
    body: { model_name: "bench baseline" },
  });
  if (started.status !== 202) throw new Error(`train: ${started.status}`);
  await runner.settled(started.body.data.training_session_id);

  const socket = await openStream(apiUrl, "/ws/logs", { token: t.token });
  const ingest: number[] = [];
  const toSocket: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const from = socket.frames.length;
      const t0 = performance.now();
      await ingestOne(metricsSample(99, 97, 12 + i, new Date()));
      ingest.push(performance.now() - t0);
      const f = await socket.next((m) => JSON.stringify(m).includes("anomaly_detected"), { from, timeoutMs: 15_000 });
      toSocket.push(f.at - t0);
    }
  } finally {
    await socket.close();
  }
  return { ingest, toSocket };
}
