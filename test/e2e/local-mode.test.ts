/**
 * `npm start` as a newcomer runs it: the platform comes up with no AWS account, says what it is
 * doing step by step, prints where it listens and the login command to paste, lets the bootstrap
 * admin sign in, logs one line per request, answers /health, unknown routes and wrong content
 * types in the surface's envelope, and on SIGTERM stops everything it started and says so.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
let child: ChildProcess;
let output = "";
let url = "";
let dynamoPort = 0;

function waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`)), ms);
    const check = () => {
      const m = output.match(pattern);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolvePromise(m);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before ${pattern}; output:\n${output}`));
    });
    check();
  });
}

const portOpen = (port: number) =>
  new Promise<boolean>((r) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      r(true);
    });
    s.once("error", () => r(false));
  });

beforeAll(async () => {
  child = spawn(process.execPath, ["--import", "tsx", "infra/local/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      MQTT_PORT: "0",
      IOT_DATA_PORT: "0",
      WARDEN_ADMIN_USERNAME: "admin",
      WARDEN_ADMIN_PASSWORD: "Local-Boot#2026!x",
      WARDEN_DATA_DIR: "",
      DYNAMODB_ENDPOINT: "",
      TABLE_NAME: "warden",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  url = (await waitFor(/Warden is listening on (http:\/\/127\.0\.0\.1:\d+)/, 90_000))[1] ?? "";
  dynamoPort = Number(output.match(/DynamoDB Local on http:\/\/127\.0\.0\.1:(\d+)/)?.[1]);
}, 120_000);

afterAll(() => {
  if (child.exitCode === null) child.kill("SIGKILL");
});

describe("npm start", () => {
  it("prints a progress line per start-up step, the URL and the login command to paste", async () => {
    for (const stepLine of [
      /\[1\/9\] DynamoDB Local: ready in [\d.]+ s/,
      /\[2\/9\] IoT Core \(local\): ready/,
      /\[3\/9\] ACME CA: ready/,
      /\[4\/9\] Workflows: ready/,
      /\[5\/9\] Tenant 'default': ready/,
      /\[6\/9\] Simulated gateway: ready/,
      /\[7\/9\] Table stream: ready in [\d.]+ s \(\d+ workers: .*workers-webhook-dispatch.*workers-realtime-fanout/,
      /\[8\/9\] HTTP API: ready/,
      /\[9\/9\] Health: ready in [\d.]+ s \(table ok, iot ok, workflows ok\)/,
    ]) {
      expect(output).toMatch(stepLine);
    }
    expect(output).toContain(`${url}/docs`);
    // The password came from WARDEN_ADMIN_PASSWORD: the command names the variable, never its value.
    expect(output).toContain(`TOKEN=$(curl -s -X POST ${url}/api/auth/login`);
    expect(output).toContain('\\"password\\":\\"$WARDEN_ADMIN_PASSWORD\\"');
  });

  it("serves the login route", async () => {
    const res = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "Local-Boot#2026!x" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const body = (await res.json()) as { data: { token: string; user: { username: string; role: string } } };
    expect(body.data.user).toMatchObject({ username: "admin", role: "admin" });
    const me = await fetch(`${url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${body.data.token}` } });
    expect(((await me.json()) as { username: string }).username).toBe("admin");
    // Local mode's own tenant does not force 2FA enrolment on its admin: the token is a full one.
    const users = await fetch(`${url}/cloud-integration/security/users`, {
      headers: { authorization: `Bearer ${body.data.token}` },
    });
    expect(users.status).toBe(200);
    expect(output).not.toContain("Local-Boot#2026!x");
  });

  it("answers an unknown route with 404 in its surface's envelope with a hint to /docs, a wrong method with 405", async () => {
    const gateway = await fetch(`${url}/cloud-integration/security/nope`);
    expect(gateway.status).toBe(404);
    expect(await gateway.json()).toMatchObject({ error: "RESOURCE_NOT_FOUND", hint: expect.stringContaining("/docs") });
    const securenet = await fetch(`${url}/api/auth/nope`);
    expect(await securenet.json()).toMatchObject({
      status: "error",
      error: { code: "RESOURCE_NOT_FOUND", hint: expect.stringContaining("/docs") },
    });
    const cloudsentinel = await fetch(`${url}/api/v1/nope`);
    expect(await cloudsentinel.json()).toMatchObject({
      detail: expect.any(String),
      hint: expect.stringContaining("/docs"),
    });
    const wrongMethod = await fetch(`${url}/api/auth/login`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });

  it("answers a body that is not JSON with 415 and its own error code", async () => {
    const res = await fetch(`${url}/cloud-integration/security/firewall/rules/add`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "name=x",
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers /health with the table, IoT Core and the workflow runner up", async () => {
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      checks: { table: { status: "ok" }, iot: { status: "ok" }, workflows: { status: "ok" } },
    });
  });

  it("writes one access-log line per request: method, path, status, ms, tenant, request id — no secret", async () => {
    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "Local-Boot#2026!x" }),
    });
    const token = ((await login.json()) as { data: { token: string } }).data.token;
    const res = await fetch(`${url}/cloud-integration/security/gateways?probe=access-log`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const requestId = res.headers.get("x-request-id");
    await waitFor(
      new RegExp(`GET /cloud-integration/security/gateways 200 \\d+ms tenant=default request_id=${requestId}`),
      5000,
    );
    expect(output).not.toContain(token);
    expect(output).not.toContain("Local-Boot#2026!x");
  });

  it("names the variable to set when a port is taken, before starting anything", async () => {
    const taken = new URL(url).port;
    const second = spawn(process.execPath, ["--import", "tsx", "infra/local/main.ts"], {
      cwd: root,
      env: { ...process.env, PORT: taken, MQTT_PORT: "0", IOT_DATA_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    second.stderr?.on("data", (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((r) => second.once("exit", (c) => r(c)));
    expect(code).toBe(1);
    expect(err).toContain(`port ${taken} is already in use`);
    expect(err).toContain("PORT=<port> npm start");
  });

  it("stops everything it started on SIGTERM, DynamoDB Local's Java included", async () => {
    expect(await portOpen(dynamoPort)).toBe(true);
    const exited = new Promise<number | null>((r) => child.once("close", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await portOpen(dynamoPort)).toBe(false);
    expect(output).toContain("Warden stopped; everything it started has exited.");
  });
});
