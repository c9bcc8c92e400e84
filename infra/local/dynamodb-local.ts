/**
 * Runs Amazon's DynamoDB Local (the jar shipped in the npm package amplify-dynamodb-simulator)
 * with the machine's Java: in memory by default, on disk when given a directory; bound to the
 * loopback address only (DynamoDbLoopback.java), without telemetry.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { createTableInput, TABLE } from "#shared/table/table.ts";

/** The only address DynamoDB Local listens on. */
export const LOOPBACK = "127.0.0.1";
const LAUNCHER = fileURLToPath(new URL("./DynamoDbLoopback.java", import.meta.url));

/**
 * The launcher, compiled once per version of its source (javac, into the OS temp dir) and reused:
 * compiling it at every start would cost seconds of CPU each time the tests start DynamoDB Local.
 */
function launcherClasses(dir: string): string {
  const source = readFileSync(LAUNCHER);
  const hash = createHash("sha256").update(source).update(dir).digest("hex").slice(0, 16);
  const classes = join(tmpdir(), `warden-dynamodb-launcher-${hash}`);
  if (existsSync(join(classes, "DynamoDbLoopback.class"))) return classes;
  const staging = mkdtempSync(join(tmpdir(), "warden-dynamodb-launcher-"));
  execFileSync("javac", [
    "-cp",
    [join(dir, "DynamoDBLocal.jar"), join(dir, "DynamoDBLocal_lib", "*")].join(delimiter),
    "-d",
    staging,
    LAUNCHER,
  ]);
  try {
    renameSync(staging, classes);
  } catch {
    // Another process compiled it first: use theirs.
    rmSync(staging, { recursive: true, force: true });
  }
  return classes;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function jarDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("amplify-dynamodb-simulator/package.json")), "emulator");
}

export async function startDynamoDbLocal(opts: { port?: number; dataDir?: string } = {}): Promise<DynamoDbLocal> {
  const port = opts.port ?? (await freePort());
  const dir = jarDir();
  const storage = opts.dataDir ? ["-dbPath", opts.dataDir] : ["-inMemory"];
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  // The jar's own main binds every interface; the launcher binds LOOPBACK only (the jar has no -host).
  const java: ChildProcess = spawn(
    "java",
    [
      "-Xmx512m",
      `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
      "-cp",
      [launcherClasses(dir), join(dir, "DynamoDBLocal.jar"), join(dir, "DynamoDBLocal_lib", "*")].join(delimiter),
      "DynamoDbLoopback",
      LOOPBACK,
      "-sharedDb",
      "-disableTelemetry",
      ...storage,
      "-port",
      String(port),
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  java.stdout?.on("data", (d) => {
    output += d;
  });
  java.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => java.once("exit", (code) => resolve(code)));
  const endpoint = `http://${LOOPBACK}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (java.exitCode !== null) throw new Error(`DynamoDB Local exited (${java.exitCode}): ${output.slice(-2000)}`);
    try {
      await client.send(new DescribeTableCommand({ TableName: "__ping__" }));
      break;
    } catch (e) {
      if ((e as { name?: string }).name === "ResourceNotFoundException") break;
      if (Date.now() > deadline) {
        java.kill("SIGKILL");
        throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    async stop() {
      if (java.exitCode !== null) return;
      java.kill("SIGTERM");
      const timer = setTimeout(() => java.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The table's stream, as in AWS: the table-stream workers read it (infra/local/table-stream.ts). */
const STREAM = { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } as const;

/**
 * Creates the table (if missing) from the shared declaration, with its NEW_AND_OLD_IMAGES stream,
 * and turns on TTL. A table kept from before (a data dir) gets its stream turned on.
 */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.StreamSpecification?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM }));
    }
  } catch (e) {
    if ((e as { name?: string }).name !== "ResourceNotFoundException") throw e;
    await client.send(new CreateTableCommand({ ...createTableInput(tableName), StreamSpecification: STREAM }));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      }),
    );
  } finally {
    client.destroy();
  }
}
