/**
 * The one-file bundle a gateway runs: it builds, prints its usage, and, run as a child process in
 * sandbox mode (as local mode can run it), applies a shadow and stops cleanly on SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEdge } from "#edge/build.ts";
import { type LocalIot, type ShadowPublication, startLocalIot } from "#infra/local/iot/index.ts";
import { firewallDesired } from "./fixtures/desired.ts";

const scratch = mkdtempSync(join(tmpdir(), "warden-bundle-"));
const bundle = join(scratch, "warden-edge.mjs");
let iot: LocalIot;
let child: ChildProcess | undefined;

beforeAll(async () => {
  await buildEdge(bundle);
  iot = await startLocalIot();
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await iot?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function firewallReport(version: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reported config_version ${version} within 15 s`)), 15_000);
    const listener = (p: ShadowPublication) => {
      if (p.topic !== "$aws/things/gw-bundle/shadow/name/firewall/update/accepted") return;
      if (JSON.stringify(p.payload).includes(`"reported":{"config_version":${version},`)) {
        clearTimeout(timer);
        iot.shadows.off("publish", listener);
        resolve();
      }
    };
    iot.shadows.on("publish", listener);
  });
}

describe("edge bundle", () => {
  it("is one file that prints its usage", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bundle, "--help"]);

    expect(stdout).toContain("--mqtt-url <url>");
    expect(readFileSync(bundle, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("runs as a sandboxed gateway process: applies its shadow and exits 0 on SIGTERM", async () => {
    const stateDir = join(scratch, "gw-bundle");
    const reported = firewallReport(1);
    child = spawn(process.execPath, [bundle, "--sandbox", "--state-dir", stateDir], {
      env: {
        PATH: process.env.PATH,
        WARDEN_THING_NAME: "gw-bundle",
        WARDEN_TENANT: "acme",
        WARDEN_MQTT_URL: iot.mqttUrl,
        WARDEN_LOG_LEVEL: "warn",
        WARDEN_METRICS_INTERVAL_SECONDS: "0",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));

    iot.shadows.update("gw-bundle", "firewall", { state: { desired: firewallDesired({ config_version: 1 }) } });
    await reported;
    child.kill("SIGTERM");

    expect(await exited).toBe(0);
    expect(stderr).toBe("");
    expect(readFileSync(join(stateDir, "etc/nftables.d/warden.nft"), "utf8")).toContain("config_version 1.");
  });
});
