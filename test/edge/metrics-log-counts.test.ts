/**
 * The running edge (sandbox, local IoT Core) counts what its log followers see between two metrics
 * samples: failed SSH logins from the auth log and dropped or rejected packets from the firewall log,
 * sent in the next metrics sample's `events` block — per interval, so the counts over all samples
 * add up to what was logged, once.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MetricsEvent, MetricsEventSchema } from "#edge/contract.ts";
import { type EdgeLab, startEdgeLab } from "#test/helpers/edge.ts";
import { firewallDesired } from "./fixtures/desired.ts";
import { nextPublished, nextReport } from "./support/harness.ts";

let lab: EdgeLab;

beforeAll(async () => {
  lab = await startEdgeLab();
});

afterAll(async () => {
  await lab?.stop();
});

describe("failed logins and firewall drops in the metrics samples of a running edge", () => {
  it("adds up, over the samples, to the failed logins and drops the logs show, each counted once", async () => {
    // Arrange: a gateway sampling every 200 ms with its firewall applied (the log prefixes name the rules).
    const { edge, stateDir } = await lab.gateway("gw-counts-1", { metricsIntervalMs: 200 });
    const samples: MetricsEvent[] = [];
    edge.events.on("published", (e) => {
      if (e.type === "metrics") samples.push(e);
    });
    const applied = nextReport(edge, "firewall", (r) => r.config_version === 1);
    await lab.writeDesired("gw-counts-1", "firewall", firewallDesired({ config_version: 1 }));
    await applied;
    // Past the first sample after the start (which carries no counts): every later one has the block.
    if (samples.length === 0) await nextPublished(edge, (e) => e.type === "metrics");
    const before = samples.length;

    // Act: 3 failed logins (one user announced as invalid, then failing: one attempt), 2 drops, 1 reject,
    // and a kernel line that is not Warden's.
    const failures = nextPublished(edge, (e) => e.type === "ssh_auth_failure");
    const blocks = nextPublished(edge, (e) => e.type === "firewall_log");
    appendFileSync(
      join(stateDir, "log/auth.log"),
      "Mar 15 09:31:00 gw sshd[4400]: Invalid user oracle from 203.0.113.77 port 40000\n" +
        "Mar 15 09:31:01 gw sshd[4400]: Failed password for invalid user oracle from 203.0.113.77 port 40000 ssh2\n" +
        "Mar 15 09:31:02 gw sshd[4401]: Failed password for root from 203.0.113.78 port 40001 ssh2\n" +
        "Mar 15 09:31:03 gw sshd[4402]: Failed publickey for admin from 203.0.113.79 port 40002 ssh2\n",
    );
    appendFileSync(
      join(stateDir, "log/kern.log"),
      "Mar 15 10:25:30 gw kernel: [1.0] WARDEN-R3-DROP IN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.100 LEN=60 PROTO=TCP SPT=5000 DPT=23\n" +
        "Mar 15 10:25:31 gw kernel: [1.1] WARDEN-R3-DROP IN=eth0 OUT= SRC=203.0.113.6 DST=192.168.1.100 LEN=60 PROTO=TCP SPT=5001 DPT=23\n" +
        "Mar 15 10:25:32 gw kernel: [1.2] MQTT-REJECT IN=eth0 OUT= SRC=203.0.113.7 DST=192.168.1.100 LEN=60 PROTO=TCP SPT=5002 DPT=1883\n" +
        "Mar 15 10:25:33 gw kernel: [1.3] usb 1-1: new high-speed USB device\n",
    );
    await Promise.all([failures, blocks]);
    // Lines are counted as they are parsed, before their batch is published: the next sample has them all.
    await nextPublished(edge, (e) => e.type === "metrics");

    // Assert
    const after = samples.slice(before);
    expect(after.every((s) => MetricsEventSchema.safeParse(s).success)).toBe(true);
    expect(after.every((s) => s.events !== undefined && s.events.interval_seconds > 0)).toBe(true);
    const sum = (key: "failed_logins" | "firewall_drops") => after.reduce((n, s) => n + (s.events?.[key] ?? 0), 0);
    expect(sum("failed_logins")).toBe(3);
    expect(sum("firewall_drops")).toBe(3);
  });
});
