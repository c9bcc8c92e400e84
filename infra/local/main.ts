/**
 * `npm start`: the whole platform on one machine, no AWS account. Starts DynamoDB Local, creates
 * the table, starts the local IoT Core (MQTT broker + shadow service + HTTP data plane) and the
 * stand-in for the topic rule that feeds gateway events to the ingest function, bootstraps tenant
 * `default` with one simulated gateway running the real edge handler in a sandbox directory,
 * serves the route table over HTTP (with /openapi.json, /docs and /health), and on SIGINT/SIGTERM
 * stops everything it started (Java included). It says what it does as it does it: one progress line
 * per start-up step, the login command to paste, one access-log line per request, and a line when it
 * has stopped. A port already in use names the variable that moves it.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { HealthCheck } from "./api-server.ts";
import { ensureTable, startDynamoDbLocal } from "./dynamodb-local.ts";
import { startLocalIot, usePlatformWithLocalIot } from "./iot/index.ts";
import { loadOrCreateDataKey, loadOrCreateJwtKey } from "./keys.ts";
import { startLocalIotRule } from "./local-iot-rule.ts";
import { startLocalShadowRule } from "./local-shadow-rule.ts";
import { startLocalAcme, useLocalWorkflows } from "./workflows/index.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const dataDir = process.env.WARDEN_DATA_DIR ? resolve(process.env.WARDEN_DATA_DIR) : undefined;
const stateDir = dataDir ?? join(root, ".local");
const port = Number(process.env.PORT ?? 3000);
const mqttPort = Number(process.env.MQTT_PORT ?? 1883);
const iotDataPort = Number(process.env.IOT_DATA_PORT ?? 3001);
const tableName = process.env.TABLE_NAME ?? "warden";
/** The simulated gateway of tenant `default`, found by this name across restarts with a data dir. */
const SIMULATED_GATEWAY = "Local simulated gateway";

const stops: (() => Promise<void>)[] = [];
let stopping = false;
async function shutdown(code: number, signal?: string) {
  if (stopping) return;
  stopping = true;
  if (signal) say(`${signal}: stopping (API, gateway, IoT Core, DynamoDB Local)…`);
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (e) {
      process.stderr.write(`shutdown: ${(e as Error).message}\n`);
    }
  }
  if (signal) say("Warden stopped; everything it started has exited.");
  process.exit(code);
}

function say(line: string) {
  process.stdout.write(`${line}\n`);
}

/** "[2/6] Starting DynamoDB Local… done in 9.8 s (…)": one line per start-up step, as it finishes. */
let step = 0;
const STEPS = 9;
async function progress<T>(what: string, run: () => Promise<T>, detail?: (r: T) => string): Promise<T> {
  step += 1;
  const started = performance.now();
  const result = await run();
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  say(`[${step}/${STEPS}] ${what}: ready in ${secs} s${detail ? ` (${detail(result)})` : ""}`);
  return result;
}

/** The variable that moves each port, for the hint when one is taken. */
const PORT_VARIABLES: [number, string][] = [
  [port, "PORT"],
  [mqttPort, "MQTT_PORT"],
  [iotDataPort, "IOT_DATA_PORT"],
];

function explain(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { port?: number };
  if (err.code === "EADDRINUSE") {
    const taken = err.port ?? Number(err.message.match(/:(\d+)\s*$/)?.[1]);
    const variable = PORT_VARIABLES.find(([p]) => p === taken)?.[1];
    return variable
      ? `port ${taken} is already in use (another npm start?). Stop that process, or choose a free port: ${variable}=<port> npm start`
      : `a port is already in use: ${err.message}`;
  }
  return err.message;
}
process.on("SIGINT", () => void shutdown(0, "SIGINT"));
process.on("SIGTERM", () => void shutdown(0, "SIGTERM"));

/** Fails fast, before anything starts, when a fixed port is taken: the hint names its variable. */
async function checkPortsFree(): Promise<void> {
  for (const [p] of PORT_VARIABLES) {
    if (!p) continue;
    await new Promise<void>((resolvePromise, reject) => {
      const probe = createServer();
      probe.once("error", (e) => reject(Object.assign(e, { port: p })));
      probe.listen(p, "127.0.0.1", () => probe.close(() => resolvePromise()));
    });
  }
}

async function main() {
  await checkPortsFree();
  say(`Starting Warden locally (no AWS account needed; state in ${dataDir ?? "memory"})…`);
  const dynamo = await progress(
    "DynamoDB Local",
    async () => {
      const d = await startDynamoDbLocal({ dataDir: dataDir ? join(dataDir, "dynamodb") : undefined });
      stops.push(() => d.stop());
      await ensureTable(d.endpoint, tableName);
      return d;
    },
    (d) =>
      `DynamoDB Local on ${d.endpoint}, table '${tableName}', ${dataDir ? `data in ${join(dataDir, "dynamodb")}` : "in memory"}`,
  );

  const iot = await progress(
    "IoT Core (local)",
    async () => {
      const i = await startLocalIot({ mqttPort, httpPort: iotDataPort, host: "127.0.0.1" });
      stops.push(() => i.stop());
      return i;
    },
    (i) => `MQTT ${i.mqttUrl}, data plane ${i.dataPlaneEndpoint}`,
  );

  await progress(
    "ACME CA",
    async () => {
      const a = await startLocalAcme(stateDir);
      stops.push(() => a.stop());
      return a;
    },
    (a) => a.summary,
  );

  // The shared code reads its environment once at import, so set it before importing anything of it.
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TABLE_NAME = tableName;
  process.env.WARDEN_JWT_PRIVATE_KEY ??= loadOrCreateJwtKey(join(stateDir, "jwt-es256.pem"));
  process.env.WARDEN_DATA_KEY ??= loadOrCreateDataKey(join(stateDir, "data-key"));
  // The blob bucket's stand-in: backups, uploaded files and models, under the state directory.
  process.env.BLOB_DIR ??= join(stateDir, "blobs");
  // No payment provider here: plan changes apply directly (a deployment without Stripe refuses upgrades).
  process.env.WARDEN_PLAN_CHANGES_WITHOUT_PAYMENT ??= "allow";
  await usePlatformWithLocalIot(iot);
  await progress(
    "Workflows",
    () => useLocalWorkflows(root),
    (w) => w,
  );

  const { bootstrapDefaultTenant } = await import("./bootstrap.ts");
  const { startApiServer } = await import("./api-server.ts");
  const { routes } = await import("#infra/routes.ts");

  const { handler: ingest } = await import("#functions/iot/ingest.ts");
  const { findGatewayByName, registerGateway, resyncGateway } = await import("#shared/fleet/gateways.ts");
  const { startEdge } = await import("#edge/edge.ts");

  const boot = await progress(
    "Tenant 'default'",
    () =>
      bootstrapDefaultTenant({
        username: process.env.WARDEN_ADMIN_USERNAME ?? "admin",
        password: process.env.WARDEN_ADMIN_PASSWORD,
      }),
    (b) => (b.created ? `created, admin '${b.username}'` : `already there, admin '${b.username}'`),
  );

  // The topic rule `SELECT *, topic(2) AS tenant, topic(3) AS thing FROM 'warden/+/+/events'` → ingest.
  const rule = await startLocalIotRule({
    broker: iot.broker.broker,
    invoke: ingest,
    onError: (e, topic) => process.stderr.write(`local IoT rule: ${topic}: ${e.message}\n`),
  });
  stops.push(() => rule.stop());
  // The shadow rule (infra/stacks/iot-stack.ts SHADOW_SYNC_SQL) → gateway-reported sync states on the events socket.
  const { handler: shadowSyncEvents } = await import("#functions/workers/shadow-sync-events.ts");
  const { syncReportChanged } = await import("#shared/realtime/fanout.ts");
  const shadowRule = await startLocalShadowRule({
    broker: iot.broker.broker,
    invoke: shadowSyncEvents,
    syncChanged: syncReportChanged,
    onError: (e, topic) => process.stderr.write(`local IoT shadow rule: ${topic}: ${e.message}\n`),
  });
  stops.push(() => shadowRule.stop());

  // One simulated gateway in tenant `default`, so a change made over the API reaches a device at once.
  const { thing, gatewayId, sandbox } = await progress(
    "Simulated gateway",
    async () => {
      const existing = await findGatewayByName(boot.tenantId, SIMULATED_GATEWAY);
      let thing: string;
      let gatewayId: number;
      if (existing) {
        // Shadows live in memory: give the known gateway its saved configuration again.
        ({ thingName: thing, id: gatewayId } = existing);
        await resyncGateway(boot.tenantId, gatewayId);
      } else {
        const created = await registerGateway(boot.tenantId, "local-mode", {
          name: SIMULATED_GATEWAY,
          description: "The real edge handler in a sandbox directory (npm start)",
          location: "this machine",
        });
        ({ thing_name: thing, id: gatewayId } = created.gateway);
        // A new device identity starts from a clean sandbox; it keeps its own credentials, as a gateway would.
        await rm(join(stateDir, "gateways", thing), { recursive: true, force: true });
        await mkdir(join(stateDir, "gateways", thing), { recursive: true, mode: 0o700 });
        await writeFile(join(stateDir, "gateways", thing, "device.crt"), created.credentials.certificate_pem, {
          mode: 0o644,
        });
        await writeFile(join(stateDir, "gateways", thing, "device.key"), created.credentials.private_key, {
          mode: 0o600,
        });
      }
      const sandbox = join(stateDir, "gateways", thing);
      const edge = await startEdge({
        thingName: thing,
        tenant: boot.tenantId,
        mqttUrl: iot.mqttUrl,
        stateDir: sandbox,
        sandbox: true,
        metricsIntervalMs: 60_000,
        logLevel: "warn",
        // Its HTTPS and MQTT slots start self-signed for this name, so GET /certificates/status shows real ones.
        certificates: { selfSignedName: `${thing.toLowerCase().replace(/[^a-z0-9-]/g, "-")}.gateway.local` },
      });
      stops.push(() => edge.stop());
      return { thing, gatewayId, sandbox };
    },
    (g) => `gateway ${g.gatewayId}, thing ${g.thing}, running the edge handler in ${g.sandbox}`,
  );

  // DynamoDB Local's stream → every "table-stream" worker (webhooks, GRC evidence, realtime fan-out, meters).
  const { startTableStream, tableStreamWorkers } = await import("./table-stream.ts");
  const { workers } = await import("#infra/workers.ts");
  await progress(
    "Table stream",
    async () => {
      const streamWorkers = await tableStreamWorkers(root, workers);
      const t = await startTableStream({ endpoint: dynamo.endpoint, tableName, workers: streamWorkers });
      stops.push(() => t.stop());
      return streamWorkers;
    },
    (w) => `${w.length} workers: ${w.map((x) => x.id).join(", ")}`,
  );

  const { buildOpenApiDocument } = await import("#tools/openapi-document.ts");
  const { localWebSockets } = await import("./websocket-server.ts");
  const health = localHealth({ dynamoEndpoint: dynamo.endpoint, iotEndpoint: iot.dataPlaneEndpoint });
  const api = await progress(
    "HTTP API",
    async () => {
      const a = await startApiServer({
        routes,
        root,
        port,
        openapi: () => buildOpenApiDocument(routes, { root, serverUrl: `http://127.0.0.1:${port}` }),
        health,
        accessLog: (line) => say(line),
        websockets: localWebSockets({ routes, root }),
      });
      stops.push(() => a.close());
      return a;
    },
    () =>
      `${routes.filter((r) => r.method !== "WEBSOCKET").length} routes, WebSockets on ${routes
        .filter((r) => r.method === "WEBSOCKET")
        .map((r) => r.path)
        .join(", ")}`,
  );
  await progress(
    "Health",
    async () => {
      const checks = await health();
      const down = Object.entries(checks).filter(([, c]) => c.status === "unavailable");
      if (down.length) throw new Error(`not healthy: ${down.map(([k, c]) => `${k}: ${c.detail}`).join("; ")}`);
      return checks;
    },
    (checks) =>
      Object.entries(checks)
        .map(([k, c]) => `${k} ${c.status}`)
        .join(", "),
  );

  const nft = join(sandbox, "etc", "nftables.d", "warden.nft");
  const password = boot.generatedPassword
    ? boot.generatedPassword
    : process.env.WARDEN_ADMIN_PASSWORD && boot.created
      ? "$WARDEN_ADMIN_PASSWORD"
      : undefined;
  const lines = [
    "",
    `Warden is listening on ${api.url}`,
    `  API docs:  ${api.url}/docs   (OpenAPI 3.1: ${api.url}/openapi.json)   health: ${api.url}/health`,
    `  Events:    ${api.url.replace(/^http/, "ws")}/cloud-integration/security/events?token=$TOKEN`,
    boot.generatedPassword
      ? `  Admin of tenant 'default': ${boot.username} / ${boot.generatedPassword}  (generated; shown once — keep it)`
      : boot.created
        ? `  Admin of tenant 'default': ${boot.username} (password from WARDEN_ADMIN_PASSWORD)`
        : `  Tenant 'default' already exists (admin '${boot.username}'; its password was shown when it was created)`,
    `  Gateway ${gatewayId} (${thing}): ruleset ${nft}`,
    "",
    "Sign in (paste into a shell; needs curl and jq):",
    `  TOKEN=$(curl -s -X POST ${api.url}/api/auth/login -H 'Content-Type: application/json' \\`,
    password
      ? `    -d "{\\"username\\":\\"${boot.username}\\",\\"password\\":\\"${password}\\"}" | jq -r .data.token)`
      : `    -d '{"username":"${boot.username}","password":"<password>"}' | jq -r .data.token)`,
    `Then: curl -s ${api.url}/cloud-integration/security/gateways -H "Authorization: Bearer $TOKEN" | jq`,
    "",
    "Ctrl-C stops everything. One line per request follows:",
  ];
  say(lines.join("\n"));
}

/** GET /health: the table answers, the IoT data plane answers, workflows (run in process). */
function localHealth(opts: { dynamoEndpoint: string; iotEndpoint: string }) {
  return async (): Promise<Record<string, HealthCheck>> => {
    const table = await checkTable(opts.dynamoEndpoint).then(
      (): HealthCheck => ({ status: "ok" }),
      (e: Error): HealthCheck => ({ status: "unavailable", detail: e.message }),
    );
    const iot = await fetch(`${opts.iotEndpoint}/things/health-probe/shadow`, {
      signal: AbortSignal.timeout(2000),
    }).then(
      (): HealthCheck => ({ status: "ok" }),
      (e: Error): HealthCheck => ({ status: "unavailable", detail: e.message }),
    );
    return {
      table,
      iot,
      // Workflows run in process (aws-local-stepfunctions): they are up whenever this server is.
      workflows: { status: "ok" },
    };
  };
}

async function checkTable(endpoint: string): Promise<void> {
  const { DescribeTableCommand, DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }), {
      abortSignal: AbortSignal.timeout(2000),
    });
    if (out.Table?.TableStatus !== "ACTIVE") throw new Error(`table ${tableName} is ${out.Table?.TableStatus}`);
  } finally {
    client.destroy();
  }
}

main().catch((e) => {
  process.stderr.write(`Warden failed to start: ${explain(e)}\n`);
  void shutdown(1);
});
