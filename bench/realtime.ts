/**
 * Realtime: latency from a committed change to the frame on a connected socket, locally — the
 * whole path: DynamoDB Local's stream (polled by infra/local/table-stream.ts), the fan-out worker,
 * the `@connections` emulator and the `ws` socket. Two kinds of change: a gateway event as the
 * ingest stores it (a firewall DROP line → `firewall_block`), and an API mutation (an API key
 * generated → `configuration_change` from its audit record). One change at a time, each waited
 * for, so each sample is one change's own latency.
 */
import { resolve } from "node:path";
import type { DynamoDBRecord } from "aws-lambda";
import { pct } from "./stats.ts";

type Call = typeof import("#test/helpers/api.ts").call;
type NewTenant = typeof import("#test/helpers/api.ts").newTenant;

export interface RealtimeBenchResult {
  ingestToSocket: { n: number; p50Ms: number; p99Ms: number };
  apiChangeToSocket: { n: number; p50Ms: number; p99Ms: number };
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
    const summary = (xs: number[]) => ({
      n: xs.length,
      p50Ms: +pct(xs, 50).toFixed(1),
      p99Ms: +pct(xs, 99).toFixed(1),
    });
    return { ingestToSocket: summary(ingest), apiChangeToSocket: summary(apiChange) };
  } finally {
    await api.close();
    await stream.stop();
  }
}
