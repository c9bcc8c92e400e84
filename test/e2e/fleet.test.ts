/**
 * The fleet end to end in one process tree: DynamoDB Local (global setup), the local IoT Core
 * (MQTT broker, shadow service, HTTP data plane), the local topic rule feeding the ingest
 * function, and two simulated gateways running the real edge handler in sandbox directories,
 * each in its own tenant. Every wait is on an MQTT publication or an ingested event, never a sleep.
 */
import { execFile } from "node:child_process";
import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetThingShadowCommand, IoTDataPlaneClient, UpdateThingShadowCommand } from "@aws-sdk/client-iot-data-plane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";
import type { ShadowPublication } from "#infra/local/iot/shadow-service.ts";
import { type IngestedEvent, startLocalIotRule } from "#infra/local/local-iot-rule.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { handler: ingest } = await import("#functions/iot/ingest.ts");
const { nextPublication, startGatewayEdge } = await import("#test/helpers/edge.ts");
const { updateDesired } = await import("#shared/iot/shadows.ts");

const run = promisify(execFile);
const dataPlane = new IoTDataPlaneClient({
  endpoint: iot.dataPlaneEndpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});
const rule = await startLocalIotRule({ broker: iot.broker.broker, invoke: ingest });

type Tenant = Awaited<ReturnType<typeof newTenant>>;
/** A tenant and its gateway, running the real edge (following its sandbox's logs). */
type Site = Awaited<ReturnType<typeof startGatewayEdge>> & { tenant: Tenant };

const FW = "/cloud-integration/security/firewall";
const SSH = "/cloud-integration/security/ssh";
let a: Site;
let b: Site;

/** Resolves with the first publication that matches, registered before the action that causes it. */
const published = (match: (p: ShadowPublication) => boolean, what: string, timeoutMs = 20_000) =>
  nextPublication(iot.shadows, match, what, timeoutMs);

type Reported = {
  config_version?: number;
  status?: string;
  failed_version?: number;
  error?: string;
  validation?: string;
};

/** The gateway's report for a shadow reaching `update/accepted`. */
const reported = (thing: string, shadow: string, ok: (r: Reported) => boolean, what: string) =>
  published((p) => {
    if (p.thing !== thing || p.shadowName !== shadow || !p.topic.endsWith("/update/accepted")) return false;
    const r = (p.payload as { state?: { reported?: Reported } }).state?.reported;
    return r !== undefined && ok(r);
  }, what).then((p) => (p.payload as { state: { reported: Reported } }).state.reported);

function ingested(match: (e: IngestedEvent) => boolean, what: string, timeoutMs = 20_000): Promise<IngestedEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      rule.events.off("ingested", on);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const on = (e: IngestedEvent) => {
      if (!match(e)) return;
      clearTimeout(timer);
      rule.events.off("ingested", on);
      resolve(e);
    };
    rule.events.on("ingested", on);
  });
}

async function site(label: string): Promise<Site> {
  const tenant = await newTenant(label);
  const gateway = await startGatewayEdge(iot, tenant, `${label} edge`, {
    followLogs: true,
    appliedVersion: 0,
    timeoutMs: 20_000,
  });
  return Object.assign(gateway, { tenant });
}

const ruleset = (s: Site) => readFile(join(s.dir, "etc", "nftables.d", "warden.nft"), "utf8");
const gateway = async (s: Site) =>
  (await call("GET", `/cloud-integration/security/gateways/${s.id}`, { token: s.tenant.token })).body;

beforeAll(async () => {
  [a, b] = await Promise.all([site("e2e-a"), site("e2e-b")]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await rule.stop();
  await iot.stop();
});

describe("a firewall change reaches the gateway", () => {
  it("lands in the rendered ruleset, passes nft -c, and the shadow reports the version as applied", async () => {
    const body = {
      name: "Allow NTP Time Sync",
      chain: "INPUT",
      port: "123",
      protocol: "UDP",
      action: "ACCEPT",
      priority: 120,
      interface: "eth0",
      log_matches: true,
      log_prefix: "NTP_TRAFFIC",
    };
    // The version is known only from the answer, so wait for an applied report of a newer version
    // than the gateway runs now (the edge also re-reports its current version with its posture).
    const before = (await gateway(a)).sync.firewall.reported_version ?? 0;
    const applied = reported(
      a.thing,
      "firewall",
      (r) => r.status === "applied" && (r.config_version ?? 0) > before,
      "firewall applied",
    );
    const res = await call("POST", `${FW}/rules/add`, { token: a.tenant.token, body });
    expect(res.status).toBe(201);
    expect((await applied).config_version).toBe(res.body.config_version);

    const text = await ruleset(a);
    expect(text).toContain(`config_version ${res.body.config_version}`);
    expect(text).toContain(
      `iifname "eth0" udp dport 123 log prefix "NTP_TRAFFIC " level info counter accept comment "rule ${res.body.rule_id}: Allow NTP Time Sync"`,
    );
    await expect(run("nft", ["-c", "-f", join(a.dir, "etc", "nftables.d", "warden.nft")])).resolves.toBeDefined();

    const g = await gateway(a);
    expect(g.sync.firewall).toMatchObject({
      desired_version: res.body.config_version,
      reported_version: res.body.config_version,
      status: "applied",
      error: null,
    });
  });

  it("never reaches another tenant's gateway", async () => {
    const text = await ruleset(b);
    expect(text).not.toContain("Allow NTP Time Sync");
    expect(b.edge.lastReport("firewall")?.config_version).toBe(0);
    const shadow = await dataPlane.send(new GetThingShadowCommand({ thingName: b.thing, shadowName: "firewall" }));
    const doc = JSON.parse(Buffer.from(shadow.payload ?? new Uint8Array()).toString("utf8"));
    // The edge applied its (empty) version 0 and cleared desired: the shadow says so, with no delta.
    expect(doc.state.desired).toBeUndefined();
    expect(doc.state.delta).toBeUndefined();
    expect(doc.state.reported).toMatchObject({ config_version: 0, status: "applied" });
    expect((await gateway(b)).sync.firewall.status).toBe("applied");
  });
});

describe("a ruleset nft rejects", () => {
  it("is reported as failed, keeps the previous ruleset, and the gateway's sync status says failed with the error", async () => {
    const before = await ruleset(a);
    // The edge clears desired once it runs it: the document to tamper with is the one the cloud
    // renders for this gateway now (what the gateway runs), at the version it reports applied.
    // Imported here: the platform modules must load after the local IoT wiring of this file.
    const { firewallSpec } = await import("#shared/fleet/firewall.ts");
    const { desiredFor, loadSnapshot } = await import("#shared/fleet/shadow-sync.ts");
    const desired = {
      ...desiredFor(firewallSpec, await loadSnapshot(firewallSpec, a.tenant.tenantId), a.id),
      config_version: a.edge.lastReport("firewall")?.config_version ?? 0,
    } as { config_version: number; rules: unknown[] };
    // The API refuses mixed address families; the contract does not, nft does. Smuggled past the API
    // straight into the shadow, with a version the cloud never saved.
    const smuggled = {
      ...desired,
      config_version: 1_000_000,
      rules: [
        ...desired.rules,
        {
          id: 999_999,
          name: "smuggled",
          chain: "INPUT",
          protocol: "TCP",
          port: "22",
          source: "10.0.0.0/8",
          destination: "2001:db8::/32",
          action: "ACCEPT",
          priority: 5,
          enabled: true,
        },
      ],
    };
    const failed = reported(
      a.thing,
      "firewall",
      (r) => r.status === "failed" && r.failed_version === 1_000_000,
      "failed report",
    );
    await dataPlane.send(
      new UpdateThingShadowCommand({
        thingName: a.thing,
        shadowName: "firewall",
        payload: Buffer.from(JSON.stringify({ state: { desired: smuggled } })),
      }),
    );
    const report = await failed;
    expect(report.error).toContain("conflicting protocols");

    expect(await ruleset(a)).toBe(before);
    const g = await gateway(a);
    expect(g.sync.firewall).toMatchObject({
      status: "failed",
      desired_version: 1_000_000,
      reported_version: desired.config_version,
    });
    expect(g.sync.firewall.error).toContain("nft -c rejected the ruleset");

    // The table is the source of truth: the next change replaces the foreign document and the gateway recovers.
    const recovered = reported(
      a.thing,
      "firewall",
      (r) => r.status === "applied" && (r.config_version ?? 0) > desired.config_version,
      "recovery",
    );
    const res = await call("POST", `${FW}/ports/manage`, {
      token: a.tenant.token,
      body: { action: "block", port: 8000, protocol: "TCP", reason: "dev server" },
    });
    expect(res.status).toBe(200);
    expect((await recovered).config_version).toBe(res.body.config_version);
    expect(await ruleset(a)).toContain("tcp dport { 8000 }");
    expect((await gateway(a)).sync.firewall.status).toBe("applied");
  });
});

describe("a timed whitelist entry and the protection settings", () => {
  it("reach the gateway's ruleset: a timed set element, the VPN port, the port-scan meter — and nft -c accepts it", async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    // The edge also re-reports its applied version with its posture (ports, unused rules): wait for
    // a version above the one the gateway runs now, not for any "applied".
    const before = (await gateway(a)).sync.firewall.reported_version ?? 0;
    const whitelisted = reported(
      a.thing,
      "firewall",
      (r) => r.status === "applied" && (r.config_version ?? 0) > before,
      "whitelist applied",
    );
    const wl = await call("POST", `${FW}/whitelist/manage`, {
      token: a.tenant.token,
      body: { action: "add", ip_address: "198.51.100.0/24", description: "Contractor", expires },
    });
    expect(wl.status).toBe(200);
    expect(wl.body.whitelist).toContain("198.51.100.0/24");
    expect((await whitelisted).config_version).toBe(wl.body.config_version);
    expect(await ruleset(a)).toMatch(/elements = \{ 198\.51\.100\.0\/24 timeout (59m\d+s|1h) \}/);

    const applied = reported(
      a.thing,
      "firewall",
      (r) => r.status === "applied" && (r.config_version ?? 0) > wl.body.config_version,
      "settings applied",
    );
    const res = await call("POST", `${FW}/settings`, {
      token: a.tenant.token,
      body: { vpn_enabled: true, vpn_port: 1194, port_scan_threshold: 12 },
    });
    expect(res.status).toBe(200);
    expect((await applied).config_version).toBe(res.body.config_version);
    const text = await ruleset(a);
    expect(text).toContain('udp dport 1194 accept comment "VPN"');
    expect(text).toContain("limit rate over 12/minute burst 12 packets");
    expect(text).toContain("ct count over");
    await expect(run("nft", ["-c", "-f", join(a.dir, "etc", "nftables.d", "warden.nft")])).resolves.toBeDefined();
    expect((await call("GET", `${FW}/status`, { token: a.tenant.token })).body.ip_whitelist).toEqual([
      "198.51.100.0/24",
    ]);
  });
});

describe("an SSH port change", () => {
  it("reaches an sshd -t-valid configuration on the gateway", async () => {
    const before = (await gateway(a)).sync.ssh.reported_version ?? 0;
    const applied = reported(
      a.thing,
      "ssh",
      (r) => r.status === "applied" && (r.config_version ?? 0) > before,
      "ssh applied",
    );
    const res = await call("POST", `${SSH}/update`, { token: a.tenant.token, body: { port: 2222 } });
    expect(res.status).toBe(200);
    expect(res.body.restart_required).toBe(true);
    const report = await applied;
    expect(report.config_version).toBe(res.body.config_version);
    expect(report.validation).toMatch(/^sshd -t/);

    const file = join(a.dir, "etc", "ssh", "sshd_config");
    expect(await readFile(file, "utf8")).toMatch(/^Port 2222$/m);
    // sshd parses the whole file and its host keys before it looks for /run/sshd; on a host without
    // that directory (a container) that one complaint is the only possible output of a valid file.
    const check = await run("/usr/sbin/sshd", ["-t", "-f", file]).then(
      () => "",
      (e: { stderr?: string }) => String(e.stderr ?? "").trim(),
    );
    expect(["", "Missing privilege separation directory: /run/sshd"]).toContain(check);
    expect((await gateway(a)).sync.ssh).toMatchObject({ status: "applied", reported_version: res.body.config_version });
  });
});

describe("shadow versions and the 8 KB budget", () => {
  it("answers a write on a stale shadow version with 409", async () => {
    const current = await dataPlane.send(new GetThingShadowCommand({ thingName: b.thing, shadowName: "ssh" }));
    const { version } = JSON.parse(Buffer.from(current.payload ?? new Uint8Array()).toString("utf8"));
    const stale = dataPlane.send(
      new UpdateThingShadowCommand({
        thingName: b.thing,
        shadowName: "ssh",
        payload: Buffer.from(JSON.stringify({ state: { desired: { banner_message: "x" } }, version: version - 1 })),
      }),
    );
    await expect(stale).rejects.toMatchObject({ name: "ConflictException", $metadata: { httpStatusCode: 409 } });
    await expect(updateDesired(b.thing, "ssh", { banner_message: "x" }, version - 1)).rejects.toMatchObject({
      statusCode: 409,
      code: "CONFLICT",
    });
  });

  it("refuses an overflow over the API with 413, and nothing is saved or sent", async () => {
    const big = (i: number) => ({
      name: `Partner ${String(i).padStart(2, "0")} ${"n".repeat(50)}`,
      chain: "INPUT",
      port: "10000-20000",
      protocol: "TCP",
      source: `2001:db8:${i.toString(16)}::/48`,
      destination: "2001:db8:ffff:ffff::/64",
      interface: "eth0.100",
      action: "ACCEPT",
      priority: 2000 + i,
      log_matches: true,
      log_prefix: `PARTNER-${i}-${"p".repeat(50)}`,
    });
    let last: { status: number; body: { error: string; message: string; config_version: number } } | undefined;
    let version = 0;
    for (let i = 1; i <= 40; i++) {
      last = await call("POST", `${FW}/rules/add`, { token: b.tenant.token, body: big(i) });
      if (last.status !== 201) break;
      version = last.body.config_version;
    }
    expect(last?.status).toBe(413);
    expect(last?.body.error).toBe("PAYLOAD_TOO_LARGE");
    expect(last?.body.message).toMatch(/would be \d+ bytes; the limit is 7156 bytes.*Nothing was saved/);
    const rules = await call("GET", `${FW}/rules`, { token: b.tenant.token });
    expect(rules.body.rules).toHaveLength(version);
    const shadow = await dataPlane.send(new GetThingShadowCommand({ thingName: b.thing, shadowName: "firewall" }));
    // The last saved version reached the shadow: desired asks for it, or the gateway already runs it
    // (and cleared desired).
    const state = JSON.parse(Buffer.from(shadow.payload ?? new Uint8Array()).toString("utf8")).state;
    expect(
      state.desired?.config_version ??
        (state.reported?.status === "applied" ? state.reported.config_version : undefined),
    ).toBe(version);
  });
});

describe("events published by the gateway", () => {
  it("appear in the firewall logs", async () => {
    const t = new Date().toISOString();
    const arrived = ingested((e) => e.thing === a.thing && e.type === "firewall_log", "firewall_log ingested");
    await appendFile(
      join(a.dir, "log", "kern.log"),
      [
        `${t} gw kernel: [123.4] NTP_TRAFFIC IN=eth0 OUT= MAC=00 SRC=192.168.1.50 DST=192.168.1.100 LEN=76 TTL=64 PROTO=UDP SPT=40000 DPT=123 LEN=56`,
        `${t} gw kernel: [123.5] WARDEN-BLOCKED-PORT IN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.100 LEN=60 TTL=50 PROTO=TCP SPT=54321 DPT=8000 SYN`,
        `${t} gw kernel: [123.6] WARDEN-PORTSCAN IN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.100 LEN=40 TTL=50 PROTO=TCP SPT=54322 DPT=21`,
        "",
      ].join("\n"),
    );
    expect((await arrived).result).toMatchObject({ stored: true, gatewayId: a.id });
    const logs = await call("GET", `${FW}/logs`, { token: a.tenant.token, query: { hours: "1" } });
    expect(logs.body.total).toBe(3);
    expect(logs.body.statistics).toMatchObject({
      dropped: 2,
      accepted: 1,
      top_source_ips: [{ ip: "203.0.113.5", count: 2 }],
      top_blocked_ports: [
        { port: 21, count: 1 },
        { port: 8000, count: 1 },
      ],
    });
    expect(logs.body.logs.find((l: { destination_port: number }) => l.destination_port === 123)).toMatchObject({
      action: "ACCEPT",
      protocol: "UDP",
      source_ip: "192.168.1.50",
      interface: "eth0",
      rule_name: "Allow NTP Time Sync",
    });
    const status = await call("GET", `${FW}/status`, { token: a.tenant.token });
    expect(status.body.statistics).toMatchObject({
      packets_blocked_today: 2,
      packets_allowed_today: 1,
      port_scans_blocked: 1,
    });
    expect((await call("GET", `${FW}/logs`, { token: b.tenant.token })).body.total).toBe(0);
  });

  it("appear as SSH sessions, and a termination goes to the gateway and comes back as the session's end", async () => {
    const started = ingested((e) => e.thing === a.thing && e.type === "ssh_session", "session start ingested");
    await appendFile(
      join(a.dir, "log", "auth.log"),
      `${new Date().toISOString()} gw sshd[4321]: Accepted publickey for admin from 192.168.1.100 port 51000 ssh2: ED25519 SHA256:abc\n`,
    );
    await started;
    const sessions = await call("GET", `${SSH}/sessions`, { token: a.tenant.token });
    expect(sessions.body.active_sessions).toHaveLength(1);
    const session = sessions.body.active_sessions[0];
    expect(session).toMatchObject({
      username: "admin",
      client_ip: "192.168.1.100",
      process_id: 4321,
      gateway_id: a.id,
    });
    expect(session.session_id).toMatch(new RegExp(`^gw${a.id}-ssh-4321-\\d+$`));
    expect((await call("GET", `${SSH}/settings`, { token: a.tenant.token })).body.connections_today).toBe(1);

    const ended = ingested((e) => e.thing === a.thing && e.type === "ssh_session", "session end ingested");
    const res = await call("POST", `${SSH}/terminate`, {
      token: a.tenant.token,
      body: { session_id: session.session_id, reason: "Security maintenance", notify_user: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "terminated",
      session_id: session.session_id,
      username: "admin",
      user_notified: true,
    });
    await ended;
    const after = await call("GET", `${SSH}/sessions`, { token: a.tenant.token, query: { active_only: "false" } });
    expect(after.body.active_sessions).toEqual([]);
    expect(after.body.recent_sessions).toEqual([
      expect.objectContaining({
        session_id: session.session_id,
        termination_reason: "terminated_by_admin",
        ended: expect.any(String),
      }),
    ]);
    expect((await call("GET", `${SSH}/sessions`, { token: b.tenant.token })).body.active_sessions).toEqual([]);
  });

  it("count failed SSH logins in failed_attempts_today", async () => {
    const settings = () => call("GET", `${SSH}/settings`, { token: a.tenant.token });
    const before = (await settings()).body.failed_attempts_today;
    const failed = ingested((e) => e.thing === a.thing && e.type === "ssh_auth_failure", "failed logins ingested");
    const t = new Date().toISOString();
    await appendFile(
      join(a.dir, "log", "auth.log"),
      [
        `${t} gw sshd[5001]: Invalid user oracle from 203.0.113.66 port 41000`,
        `${t} gw sshd[5001]: Failed password for invalid user oracle from 203.0.113.66 port 41000 ssh2`,
        `${t} gw sshd[5001]: Failed password for invalid user oracle from 203.0.113.66 port 41000 ssh2`,
        `${t} gw sshd[5002]: Connection closed by authenticating user root 203.0.113.67 port 41001 [preauth]`,
        "",
      ].join("\n"),
    );
    expect((await failed).result).toMatchObject({ stored: true, gatewayId: a.id });
    expect((await settings()).body.failed_attempts_today).toBe(before + 3);
    expect((await call("GET", `${SSH}/settings`, { token: b.tenant.token })).body.failed_attempts_today).toBe(0);
  });
});
