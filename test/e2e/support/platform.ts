/**
 * Starts `npm start` (infra/local/main.ts) as a child process, as a newcomer runs it, on free
 * ports with a known admin password, and waits for "Warden is listening". Also starts Prism (the
 * independent validating proxy) in front of a URL with a given OpenAPI document.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { freePort } from "#infra/local/dynamodb-local.ts";

export const root = resolve(import.meta.dirname, "../../..");

export interface Started {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

function waitForOutput(
  child: ChildProcess,
  read: () => string,
  pattern: RegExp,
  ms: number,
): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${read()}`)), ms);
    const check = () => {
      const m = read().match(pattern);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolvePromise(m);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before ${pattern}; output:\n${read()}`));
    });
    check();
  });
}

function track(child: ChildProcess): () => string {
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  return () => out;
}

const stopper = (child: ChildProcess) => () =>
  new Promise<void>((r) => {
    if (child.exitCode !== null) return r();
    child.once("close", () => r());
    child.kill("SIGTERM");
  });

export async function startPlatform(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "infra/local/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      MQTT_PORT: "0",
      IOT_DATA_PORT: "0",
      WARDEN_DATA_DIR: "",
      DYNAMODB_ENDPOINT: "",
      TABLE_NAME: "warden",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = track(child);
  const url =
    (await waitForOutput(child, output, /Warden is listening on (http:\/\/127\.0\.0\.1:\d+)/, 120_000))[1] ?? "";
  return { child, url, output, stop: stopper(child) };
}

export async function startPrism(specFile: string, upstream: string): Promise<Started> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      resolve(root, "node_modules/@stoplight/prism-cli/dist/index.js"),
      "proxy",
      specFile,
      upstream,
      "--errors",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = track(child);
  await waitForOutput(child, output, /Prism is listening on/, 120_000);
  return { child, url: `http://127.0.0.1:${port}`, output, stop: stopper(child) };
}
