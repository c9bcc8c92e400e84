/**
 * `npm start`: the whole platform on one machine, no AWS account. Starts DynamoDB Local, creates
 * the table, starts the local IoT Core (MQTT broker + shadow service + HTTP data plane) and the
 * stand-in for the topic rule that feeds gateway events to the ingest function, bootstraps tenant
 * `default` with one simulated gateway running the real edge handler in a sandbox directory,
 * serves the route table over HTTP, and on SIGINT/SIGTERM stops everything it started (Java included).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTable, startDynamoDbLocal } from "./dynamodb-local.ts";
import { startLocalIot, usePlatformWithLocalIot } from "./iot/index.ts";
import { loadOrCreateDataKey, loadOrCreateJwtKey } from "./keys.ts";
import { startLocalIotRule } from "./local-iot-rule.ts";
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
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (e) {
      process.stderr.write(`shutdown: ${(e as Error).message}\n`);
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

async function main() {
  const dynamo = await startDynamoDbLocal({ dataDir: dataDir ? join(dataDir, "dynamodb") : undefined });
  stops.push(() => dynamo.stop());
  await ensureTable(dynamo.endpoint, tableName);

  const iot = await startLocalIot({ mqttPort, httpPort: iotDataPort, host: "127.0.0.1" });
  stops.push(() => iot.stop());

  const acme = await startLocalAcme(stateDir);
  stops.push(() => acme.stop());

  // The shared code reads its environment once at import, so set it before importing anything of it.
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TABLE_NAME = tableName;
  process.env.WARDEN_JWT_PRIVATE_KEY ??= loadOrCreateJwtKey(join(stateDir, "jwt-es256.pem"));
  process.env.WARDEN_DATA_KEY ??= loadOrCreateDataKey(join(stateDir, "data-key"));
  await usePlatformWithLocalIot(iot);
  const workflows = await useLocalWorkflows(root);

  const { bootstrapDefaultTenant } = await import("./bootstrap.ts");
  const { startApiServer } = await import("./api-server.ts");
  const { routes } = await import("#infra/routes.ts");

  const { handler: ingest } = await import("#functions/iot/ingest.ts");
  const { findGatewayByName, registerGateway, resyncGateway } = await import("#shared/fleet/gateways.ts");
  const { startEdge } = await import("#edge/edge.ts");

  // The topic rule `SELECT *, topic(2) AS tenant, topic(3) AS thing FROM 'warden/+/+/events'` → ingest.
  const rule = await startLocalIotRule({
    broker: iot.broker.broker,
    invoke: ingest,
    onError: (e, topic) => process.stderr.write(`local IoT rule: ${topic}: ${e.message}\n`),
  });
  stops.push(() => rule.stop());

  const boot = await bootstrapDefaultTenant({
    username: process.env.WARDEN_ADMIN_USERNAME ?? "admin",
    password: process.env.WARDEN_ADMIN_PASSWORD,
  });

  // One simulated gateway in tenant `default`, so a change made over the API reaches a device at once.
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
    await writeFile(join(stateDir, "gateways", thing, "device.key"), created.credentials.private_key, { mode: 0o600 });
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

  const api = await startApiServer({ routes, root, port });
  stops.push(() => api.close());

  // One write, so a reader waiting for "listening" also has the lines around it.
  const lines: string[] = [];
  const out = { write: (text: string) => lines.push(text) };
  out.write(
    `DynamoDB Local on ${dynamo.endpoint} (${dataDir ? `data in ${join(dataDir, "dynamodb")}` : "in memory"})\n`,
  );
  if (boot.generatedPassword) {
    out.write(`Bootstrap admin of tenant 'default': ${boot.username} / ${boot.generatedPassword}  (shown once)\n`);
  } else if (boot.created) {
    out.write(`Bootstrap admin of tenant 'default': ${boot.username} (password from WARDEN_ADMIN_PASSWORD)\n`);
  } else {
    out.write(`Tenant 'default' already exists (admin '${boot.username}')\n`);
  }
  out.write(
    `IoT Core (local): MQTT ${iot.mqttUrl}, data plane ${iot.dataPlaneEndpoint} (aws iot-data … --endpoint-url ${iot.dataPlaneEndpoint})\n`,
  );
  out.write(
    `Simulated gateway ${gatewayId} (${thing}, tenant '${boot.tenantId}') runs the edge handler in ${sandbox}; ` +
      `its ruleset: ${join(sandbox, "etc", "nftables.d", "warden.nft")}, sshd_config: ${join(sandbox, "etc", "ssh", "sshd_config")}\n`,
  );
  out.write(`${workflows}\n${acme.summary}\n`);
  out.write(`Warden is listening on ${api.url}\n`);
  out.write(
    `Try: curl -s -X POST ${api.url}/api/auth/login -H 'Content-Type: application/json' -d '{"username":"${boot.username}","password":"<password>"}'\n`,
  );
  out.write(
    `Then: curl -s -X POST ${api.url}/cloud-integration/security/firewall/rules/add -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ` +
      `-d '{"name":"Block Telnet","chain":"INPUT","port":"23","protocol":"TCP","action":"DROP","priority":50}' ` +
      `and watch ${join(sandbox, "etc", "nftables.d", "warden.nft")} change\n`,
  );
  process.stdout.write(lines.join(""));
}

main().catch((e) => {
  process.stderr.write(`Warden failed to start: ${(e as Error).message}\n`);
  void shutdown(1);
});
