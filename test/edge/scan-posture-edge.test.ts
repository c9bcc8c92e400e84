/**
 * The running edge (sandbox) against local IoT Core reports what Warden's scan judges, with its
 * shadows' reports: the listening ports it reads from its proc path (a fixture of the real
 * format), a weak key in its authorized_keys, and — after someone edits the sandbox ruleset by
 * hand — drift, which the cloud's sync state then shows as `drifted`.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EdgeHandle } from "#edge/edge.ts";
import { syncState } from "#shared/fleet/shadow-sync.ts";
import { type EdgeLab, startEdgeLab } from "#test/helpers/edge.ts";
import { firewallDesired, sshDesired } from "./fixtures/desired.ts";
import { nextReport } from "./support/harness.ts";

let lab: EdgeLab;
let edge: EdgeHandle;
let stateDir: string;
const THING = "scan-posture-gw";

beforeAll(async () => {
  lab = await startEdgeLab({ watch: [`$aws/things/${THING}/shadow/name/+/update/documents`] });
  ({ edge, stateDir } = await lab.gateway(THING, {
    procNetDir: join(import.meta.dirname, "fixtures", "scan-proc-net"),
    postureIntervalMs: 0,
    metricsIntervalMs: 0,
    firewallLog: null,
    authLog: null,
  }));
});

afterAll(async () => {
  await lab?.stop();
});

describe("the edge's scan posture", () => {
  it("reports listening ports with the applied firewall, and drift once the ruleset is edited by hand", async () => {
    const reported = nextReport(edge, "firewall", (r) => r.listening !== undefined && r.listening !== null);
    await lab.writeDesired(THING, "firewall", firewallDesired({ config_version: 3 }));
    const first = await reported;
    expect(first).toMatchObject({ config_version: 3, status: "applied" });
    expect(first.listening).toEqual(["tcp:22", "udp:68", "tcp:443", "tcp:8081"]);
    expect(first.drift ?? null).toBeNull();

    // Someone opens a port by editing the live ruleset on the gateway.
    appendFileSync(join(stateDir, "etc", "nftables.d", "warden.nft"), "# tcp dport 8081 accept\n");
    const drifted = nextReport(edge, "firewall", (r) => typeof r.drift === "string");
    const inShadow = lab.cloud.next(`$aws/things/${THING}/shadow/name/firewall/update/documents`, {
      where: (m) =>
        typeof (m.json as { current?: { state?: { reported?: { drift?: unknown } } } }).current?.state?.reported
          ?.drift === "string",
    });
    await edge.refreshPosture();
    expect((await drifted).drift).toBe("warden.nft was changed on the gateway after Warden applied it");
    await inShadow;

    // The cloud's sync state of the gateway (what the fleet routes and the scan read) says drifted.
    const state = (await lab.shadowDocument(THING, "firewall")).state;
    expect(syncState(state)).toMatchObject({ status: "drifted", error: expect.stringContaining("warden.nft") });
  });

  it("reports a weak key found in the live authorized_keys", async () => {
    const applied = nextReport(edge, "ssh", (r) => r.status === "applied");
    await lab.writeDesired(THING, "ssh", sshDesired({ config_version: 2 }));
    await applied;
    // A 1024-bit RSA key (the real ssh-keygen) added by hand for root.
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      "rsa",
      "-b",
      "1024",
      "-N",
      "",
      "-C",
      "root@old",
      "-f",
      join(stateDir, "weak"),
    ]);
    const weak = readFileSync(join(stateDir, "weak.pub"), "utf8").trim();
    mkdirSync(join(stateDir, "etc", "ssh", "authorized_keys"), { recursive: true });
    writeFileSync(join(stateDir, "etc", "ssh", "authorized_keys", "root"), `${weak}\n`);
    const reported = nextReport(edge, "ssh", (r) => (r.weak_keys?.length ?? 0) > 0);
    await edge.refreshPosture();
    const r = await reported;
    expect(r.weak_keys).toEqual(["RSA-1024 root"]);
    expect(r.drift).toBe("sshd_config or authorized_keys was changed on the gateway after Warden applied it");
  });
});
