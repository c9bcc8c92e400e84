/**
 * `npm start` as a newcomer runs it: the platform comes up with no AWS account, prints where it
 * listens, lets the bootstrap admin sign in, and on SIGTERM stops everything it started.
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
  it("prints the URL and a curl line to try, and serves the login route", async () => {
    expect(output).toMatch(/Try: curl /);
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

  it("answers an unknown route with 404 and a wrong method with 405", async () => {
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/api/auth/login`)).status).toBe(405);
  });

  it("stops everything it started on SIGTERM, DynamoDB Local's Java included", async () => {
    expect(await portOpen(dynamoPort)).toBe(true);
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await portOpen(dynamoPort)).toBe(false);
  });
});
