/**
 * `npm start`: the whole platform on one machine, no AWS account. Starts DynamoDB Local, creates
 * the table, bootstraps tenant `default`, serves the route table over HTTP, and on SIGINT/SIGTERM
 * stops everything it started (Java included).
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTable, startDynamoDbLocal } from "./dynamodb-local.ts";
import { loadOrCreateDataKey, loadOrCreateJwtKey } from "./keys.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const dataDir = process.env.WARDEN_DATA_DIR ? resolve(process.env.WARDEN_DATA_DIR) : undefined;
const stateDir = dataDir ?? join(root, ".local");
const port = Number(process.env.PORT ?? 3000);
const tableName = process.env.TABLE_NAME ?? "warden";

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

  // The shared code reads its environment once at import, so set it before importing anything of it.
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TABLE_NAME = tableName;
  process.env.WARDEN_JWT_PRIVATE_KEY ??= loadOrCreateJwtKey(join(stateDir, "jwt-es256.pem"));
  process.env.WARDEN_DATA_KEY ??= loadOrCreateDataKey(join(stateDir, "data-key"));

  const { bootstrapDefaultTenant } = await import("./bootstrap.ts");
  const { startApiServer } = await import("./api-server.ts");
  const { routes } = await import("#infra/routes.ts");

  const boot = await bootstrapDefaultTenant({
    username: process.env.WARDEN_ADMIN_USERNAME ?? "admin",
    password: process.env.WARDEN_ADMIN_PASSWORD,
  });
  const api = await startApiServer({ routes, root, port });
  stops.push(() => api.close());

  const out = process.stdout;
  out.write(`DynamoDB Local on ${dynamo.endpoint} (${dataDir ? `data in ${join(dataDir, "dynamodb")}` : "in memory"})\n`);
  if (boot.generatedPassword) {
    out.write(`Bootstrap admin of tenant 'default': ${boot.username} / ${boot.generatedPassword}  (shown once)\n`);
  } else if (boot.created) {
    out.write(`Bootstrap admin of tenant 'default': ${boot.username} (password from WARDEN_ADMIN_PASSWORD)\n`);
  } else {
    out.write(`Tenant 'default' already exists (admin '${boot.username}')\n`);
  }
  out.write(`Warden is listening on ${api.url}\n`);
  out.write(
    `Try: curl -s -X POST ${api.url}/api/auth/login -H 'Content-Type: application/json' -d '{"username":"${boot.username}","password":"<password>"}'\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`Warden failed to start: ${(e as Error).message}\n`);
  void shutdown(1);
});
