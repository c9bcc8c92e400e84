/**
 * A gateway survives its broker going away: it reconnects with backoff to the broker restarted on
 * the same port, re-reads its shadows and applies what changed while it was offline.
 */
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { EdgeHandle } from "#edge/edge.ts";
import { type LocalIot, type ShadowPublication, ShadowService, startLocalIot } from "#infra/local/iot/index.ts";
import { startSandboxEdge } from "#test/helpers/edge.ts";
import { firewallDesired } from "./fixtures/desired.ts";
import { nextOffline, nextReady, nextReport } from "./support/harness.ts";

const AcceptedReport = z.object({ state: z.object({ reported: z.object({ config_version: z.number() }).optional() }) });

/** Resolves when the shadow service accepts a reported firewall state with this config_version. */
function reportAccepted(shadows: ShadowService, thing: string, version: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      shadows.off("publish", listener);
      reject(new Error(`no reported config_version ${version} within 10 s`));
    }, 10_000);
    const listener = (p: ShadowPublication) => {
      const accepted = p.topic === `$aws/things/${thing}/shadow/name/firewall/update/accepted`;
      const reported = accepted ? AcceptedReport.safeParse(p.payload).data?.state.reported : undefined;
      if (reported?.config_version === version) {
        clearTimeout(timer);
        shadows.off("publish", listener);
        resolve();
      }
    };
    shadows.on("publish", listener);
  });
}

let iot: LocalIot | undefined;
let edge: EdgeHandle | undefined;
let stateDir: string | undefined;

afterAll(async () => {
  await edge?.stop();
  await iot?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe("edge reconnection", () => {
  it("reconnects after a broker restart and applies the config written while it was offline", async () => {
    const shadows = new ShadowService();
    iot = await startLocalIot({ shadows });
    const mqttPort = iot.broker.port;
    const started = await startSandboxEdge(iot.mqttUrl, "gw-restart");
    edge = started.edge;
    stateDir = started.stateDir;
    await edge.whenConnected();
    shadows.update("gw-restart", "firewall", { state: { desired: firewallDesired({ config_version: 1 }) } });
    await nextReport(edge, "firewall", (r) => r.config_version === 1);

    const offline = nextOffline(edge);
    await iot.stop();
    await offline;
    shadows.update("gw-restart", "firewall", { state: { desired: firewallDesired({ config_version: 2 }) } });
    const reconnected = nextReady(edge);
    const accepted = reportAccepted(shadows, "gw-restart", 2);
    iot = await startLocalIot({ mqttPort, shadows });
    await reconnected;
    await accepted;

    const stored = shadows.get("gw-restart", "firewall");
    expect(stored.kind === "accepted" && stored.document.state.reported).toMatchObject({
      config_version: 2,
      status: "applied",
    });
    expect(readFileSync(join(started.stateDir, "etc/nftables.d/warden.nft"), "utf8")).toContain("config_version 2.");
    expect(edge.isConnected()).toBe(true);
  });
});
