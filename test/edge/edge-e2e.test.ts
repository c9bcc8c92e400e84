/**
 * The running edge against local IoT Core: the cloud writes desired through the HTTP data plane
 * (as the Warden functions do), the edge renders, validates, applies in its sandbox and reports.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type EdgeEvent,
  EdgeEventSchema,
  type ReportedState,
  ReportedStateSchema,
  type ShadowName,
} from "#edge/contract.ts";
import { type EdgeLab, startEdgeLab } from "#test/helpers/edge.ts";
import { firewallDesired, sshDesired } from "./fixtures/desired.ts";
import { nextReport } from "./support/harness.ts";

let lab: EdgeLab;

beforeAll(async () => {
  lab = await startEdgeLab({ watch: ["$aws/things/+/shadow/name/+/update/documents", "warden/acme/+/events"] });
});

afterAll(async () => {
  await lab?.stop();
});

const DocumentsSchema = z.object({
  current: z.object({ state: z.object({ reported: z.optional(ReportedStateSchema) }) }),
});

/** The cloud's view: the next /update/documents of the shadow whose reported state satisfies `where`. */
async function reportedInShadow(thing: string, shadow: ShadowName, where: (reported: ReportedState) => boolean) {
  const message = await lab.cloud.next(`$aws/things/${thing}/shadow/name/${shadow}/update/documents`, {
    where: (m) => {
      const reported = DocumentsSchema.safeParse(m.json).data?.current.state.reported;
      return reported !== undefined && where(reported);
    },
  });
  return DocumentsSchema.parse(message.json).current.state.reported;
}

/** The next event of the gateway on warden/acme/<thing>/events that satisfies `where` (and the contract). */
async function event(thing: string, where: (e: EdgeEvent) => boolean): Promise<EdgeEvent> {
  const message = await lab.cloud.next(`warden/acme/${thing}/events`, {
    where: (m) => {
      const parsed = EdgeEventSchema.safeParse(m.json);
      return parsed.success && where(parsed.data);
    },
  });
  return EdgeEventSchema.parse(message.json);
}

describe("edge end to end", () => {
  it("applies desired firewall and ssh written over the data plane and reports the applied version", async () => {
    const { stateDir } = await lab.gateway("gw-e2e-1");
    const started = performance.now();

    const firewallReported = reportedInShadow("gw-e2e-1", "firewall", (r) => r.config_version === 1);
    const sshReported = reportedInShadow("gw-e2e-1", "ssh", (r) => r.config_version === 1);
    await lab.writeDesired("gw-e2e-1", "firewall", firewallDesired({ config_version: 1 }));
    await firewallReported;
    const elapsed = performance.now() - started;
    await lab.writeDesired("gw-e2e-1", "ssh", sshDesired({ config_version: 1 }));
    await sshReported;

    const firewall = await lab.shadowDocument("gw-e2e-1", "firewall");
    const ssh = await lab.shadowDocument("gw-e2e-1", "ssh");
    expect(firewall.state.reported).toMatchObject({ config_version: 1, status: "applied", validation: "nft -c" });
    expect(firewall.state.reported.error).toBeUndefined();
    expect(ssh.state.reported).toMatchObject({ config_version: 1, status: "applied" });
    expect(firewall.state.delta?.config_version).toBeUndefined();
    expect(readFileSync(join(stateDir, "etc/nftables.d/warden.nft"), "utf8")).toContain("config_version 1.");
    expect(readFileSync(join(stateDir, "etc/ssh/sshd_config"), "utf8")).toContain("Port 2222");
    console.info(`shadow update → reported state for one gateway: ${elapsed.toFixed(0)} ms`);
  });

  it("keeps the previous ruleset and reports failed when a desired config does not validate", async () => {
    const { stateDir } = await lab.gateway("gw-e2e-2");
    const applied = reportedInShadow("gw-e2e-2", "firewall", (r) => r.config_version === 1);
    await lab.writeDesired("gw-e2e-2", "firewall", firewallDesired({ config_version: 1 }));
    await applied;

    const failed = reportedInShadow("gw-e2e-2", "firewall", (r) => r.status === "failed");
    const bad = firewallDesired({ config_version: 2 });
    await lab.writeDesired("gw-e2e-2", "firewall", {
      ...bad,
      rules: bad.rules.map((r) => (r.id === 1 ? { ...r, source: "999.1.1.1/33" } : r)),
    });
    await failed;

    const reported = (await lab.shadowDocument("gw-e2e-2", "firewall")).state.reported;
    expect(reported).toMatchObject({ status: "failed", config_version: 1, failed_version: 2 });
    expect(reported.error).toContain("rules.0.source: must be an IPv4/IPv6 address or CIDR");
    expect(readFileSync(join(stateDir, "etc/nftables.d/warden.nft"), "utf8")).toContain("config_version 1.");
  });

  it("publishes firewall log lines, SSH sessions, failed logins and metrics that match the events contract", async () => {
    const { edge, stateDir } = await lab.gateway("gw-e2e-3", { metricsIntervalMs: 60_000 });
    const metrics = event("gw-e2e-3", (e) => e.type === "metrics");
    await lab.writeDesired("gw-e2e-3", "firewall", firewallDesired({ config_version: 1 }));
    await nextReport(edge, "firewall", (r) => r.config_version === 1);

    const firewallLog = event("gw-e2e-3", (e) => e.type === "firewall_log");
    appendFileSync(
      join(stateDir, "log/kern.log"),
      "Mar 15 10:25:30 gw kernel: [12345.6] WARDEN-R3-DROP IN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.100 LEN=60 PROTO=TCP SPT=54321 DPT=23\n" +
        "Mar 15 10:25:31 gw kernel: [12346.0] usb 1-1: new high-speed USB device\n",
    );
    const started = event("gw-e2e-3", (e) => e.type === "ssh_session" && e.event === "started");
    appendFileSync(
      join(stateDir, "log/auth.log"),
      "Mar 15 09:30:00 gw sshd[4321]: Accepted publickey for admin from 192.168.1.50 port 53422 ssh2: ED25519 SHA256:abc\n",
    );

    const failed = event("gw-e2e-3", (e) => e.type === "ssh_auth_failure");
    appendFileSync(
      join(stateDir, "log/auth.log"),
      "Mar 15 09:31:00 gw sshd[4400]: Invalid user oracle from 203.0.113.77 port 40000\n" +
        "Mar 15 09:31:01 gw sshd[4400]: Failed password for invalid user oracle from 203.0.113.77 port 40000 ssh2\n" +
        "Mar 15 09:31:02 gw sshd[4401]: Failed password for root from 203.0.113.78 port 40001 ssh2\n",
    );

    const [logEvent, sessionEvent, metricsEvent, failedEvent] = await Promise.all([
      firewallLog,
      started,
      metrics,
      failed,
    ]);
    expect(failedEvent).toMatchObject({
      failures: [
        { username: "oracle", client_ip: "203.0.113.77", client_port: 40000, reason: "invalid_user" },
        { username: "root", client_ip: "203.0.113.78", reason: "failed_password" },
      ],
    });
    expect(logEvent).toMatchObject({
      lines: [{ rule_name: "Block Telnet", action: "DROP", source_ip: "203.0.113.5", destination_port: 23 }],
    });
    expect(sessionEvent).toMatchObject({ username: "admin", client_ip: "192.168.1.50", process_id: 4321 });
    expect(metricsEvent).toHaveProperty("memory.total_bytes");
  });

  it("terminates an SSH session the cloud asks to end and reports it", async () => {
    const { edge, stateDir } = await lab.gateway("gw-e2e-4");
    await lab.writeDesired("gw-e2e-4", "ssh", sshDesired({ config_version: 1 }));
    await nextReport(edge, "ssh", (r) => r.config_version === 1);
    const started = event("gw-e2e-4", (e) => e.type === "ssh_session" && e.event === "started");
    appendFileSync(
      join(stateDir, "log/auth.log"),
      "sshd[777]: Accepted password for ops01 from 10.0.0.15 port 40000 ssh2\n",
    );
    const startedEvent = await started;
    const sessionId = startedEvent.type === "ssh_session" ? startedEvent.session_id : "";

    const ended = event("gw-e2e-4", (e) => e.type === "ssh_session" && e.event === "ended");
    const reported = reportedInShadow("gw-e2e-4", "ssh", (r) => Array.isArray(r.terminated_sessions));
    await lab.writeDesired(
      "gw-e2e-4",
      "ssh",
      sshDesired({
        config_version: 2,
        terminate_sessions: [{ session_id: sessionId, requested_at: new Date().toISOString() }],
      }),
    );

    expect(await ended).toMatchObject({ session_id: sessionId, termination_reason: "terminated_by_admin" });
    expect((await reported)?.terminated_sessions).toEqual([sessionId]);
    expect(edge.sessions()).toEqual([]);
    expect(existsSync(join(stateDir, "state/ssh-sessions.json"))).toBe(true);
  });
});
