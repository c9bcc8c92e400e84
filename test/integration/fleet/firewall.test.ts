/**
 * Firewall routes of the gateway spec against DynamoDB Local and the local IoT Core: every example's
 * fields, validation naming the field, versioned saves that reach each gateway's `firewall` shadow
 * (or one gateway's, for overrides), the 8 KB budget, expiring blacklist entries, removal safety,
 * and statistics computed from ingested log lines.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call, newTenant, viewerToken: viewer } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const ingest = viaTopicRule(ingestHandler);
const { dbCalls, resetDbCalls } = await import("#shared/table/client.ts");
const { firewallSummary } = await import("#shared/fleet/firewall.ts");
const { FirewallDesiredSchema } = await import("#edge/contract.ts");
const { renderNftRuleset } = await import("#edge/render-nft.ts");
const { checkNftRuleset } = await import("#edge/tools.ts");
const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");

/** What the gateway would render from a shadow's desired document, checked by the real `nft -c`. */
async function nftCheckDesired(doc: unknown, now = new Date()) {
  const { text } = renderNftRuleset(FirewallDesiredSchema.parse(doc), { now });
  const dir = await mkdtemp(join(tmpdir(), "warden-fw-it-"));
  try {
    await writeFile(join(dir, "warden.nft"), text);
    return {
      text,
      check: await checkNftRuleset("/usr/sbin/nft", join(dir, "warden.nft"), "/etc/nftables.d/warden.nft"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const FW = "/cloud-integration/security/firewall";

let acme: Tenant;
let globex: Tenant;
let viewerToken: string;
const gw: { id: number; thing: string }[] = [];

const desired = (thing: string) => {
  const got = iot.shadows.get(thing, "firewall");
  if (got.kind !== "accepted") throw new Error("no firewall shadow");
  return got.document.state.desired ?? {};
};

async function register(t: Tenant, name: string) {
  const res = await call("POST", "/cloud-integration/security/gateways", { token: t.token, body: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.gateway.id as number, thing: res.body.gateway.thing_name as string };
}

const NTP_RULE = {
  name: "Allow NTP Time Sync",
  description: "Allow NTP for time synchronization",
  chain: "INPUT",
  port: "123",
  protocol: "UDP",
  source: "0.0.0.0/0",
  destination: "0.0.0.0/0",
  action: "ACCEPT",
  enabled: true,
  priority: 120,
  interface: "eth0",
  log_matches: true,
  log_prefix: "NTP_TRAFFIC",
};

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("fw-acme"), newTenant("fw-globex")]);
  gw.push(await register(acme, "Edge A"), await register(acme, "Edge B"));
  await register(globex, "Globex edge");
  viewerToken = await viewer(acme);
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await iot.stop();
});

describe("POST /firewall/rules/add", () => {
  it("adds the spec example (201) as a new config version, and every gateway's shadow asks for it", async () => {
    const before = desired(gw[0]?.thing ?? "").config_version as number;
    const res = await call("POST", `${FW}/rules/add`, { token: acme.token, body: NTP_RULE });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: "added",
      rule_id: expect.any(Number),
      rule: {
        id: res.body.rule_id,
        name: "Allow NTP Time Sync",
        chain: "INPUT",
        port: "123",
        protocol: "UDP",
        action: "ACCEPT",
        enabled: true,
        priority: 120,
      },
      message: "Firewall rule added successfully",
      requires_reload: true,
      config_version: before + 1,
      sync: { status: "pending", targeted: 2, execution_id: expect.any(String), error: null },
    });
    for (const g of gw) {
      const doc = desired(g.thing);
      expect(doc.config_version).toBe(before + 1);
      expect(doc.rules).toContainEqual({
        id: res.body.rule_id,
        name: "Allow NTP Time Sync",
        chain: "INPUT",
        protocol: "UDP",
        port: "123",
        source: "0.0.0.0/0",
        destination: "0.0.0.0/0",
        interface: "eth0",
        action: "ACCEPT",
        priority: 120,
        enabled: true,
        log: true,
        log_prefix: "NTP_TRAFFIC",
      });
    }
  });

  it.each([
    [{ port: "70000" }, "body.port"],
    [{ port: "9000-8000" }, "body.port"],
    [{ source: "192.168.1.5/24" }, "body.source"],
    [{ destination: "10.0.0.0/33" }, "body.destination"],
    [{ protocol: "SCTP" }, "body.protocol"],
    [{ chain: "PREROUTING" }, "body.chain"],
    [{ action: "ALLOW" }, "body.action"],
    [{ priority: 0 }, "body.priority"],
    [{ priority: 10001 }, "body.priority"],
    [{ interface: "eth0; flush ruleset" }, "body.interface"],
    [{ log_prefix: 'say "hi"' }, "body.log_prefix"],
    [{ log_prefix: "x".repeat(65) }, "body.log_prefix"],
    [{ protocol: "ICMP" }, "body.port"],
    [{ source: "10.0.0.0/8", destination: "2001:db8::/32" }, "body.destination"],
    [{ tenant_id: "globex" }, "body.tenant_id"],
  ])("refuses %j with a 400 naming %s, and saves nothing", async (patch, field) => {
    const res = await call("POST", `${FW}/rules/add`, { token: acme.token, body: { ...NTP_RULE, ...patch } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("VALIDATION_ERROR");
    expect(res.body.message).toContain(field);
  });

  it("answers 401 without a token and 403 for a viewer", async () => {
    expect((await call("POST", `${FW}/rules/add`, { body: NTP_RULE })).status).toBe(401);
    const denied = await call("POST", `${FW}/rules/add`, { token: viewerToken, body: NTP_RULE });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("firewall:write");
    // A viewer sees the firewall it cannot change (firewall:read).
    expect((await call("GET", `${FW}/rules`, { token: viewerToken })).status).toBe(200);
  });

  it("with gateway_id, is an override of that gateway only; another tenant's gateway id is a 404", async () => {
    const [a, b] = gw;
    if (!a || !b) throw new Error("gateways missing");
    const aVersion = desired(a.thing).config_version;
    const res = await call("POST", `${FW}/rules/add`, {
      token: acme.token,
      body: {
        name: "Modbus from PLC",
        chain: "INPUT",
        port: "502",
        protocol: "TCP",
        source: "10.1.0.0/16",
        action: "ACCEPT",
        priority: 300,
        gateway_id: b.id,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.sync).toEqual({ status: "pending", targeted: 1, execution_id: expect.any(String), error: null });
    expect(desired(a.thing).config_version).toBe(aVersion);
    expect((desired(b.thing).rules as { id: number }[]).map((r) => r.id)).toContain(res.body.rule_id);

    const tenantWide = await call("GET", `${FW}/rules`, { token: acme.token });
    expect(tenantWide.body.rules.map((r: { id: number }) => r.id)).not.toContain(res.body.rule_id);
    const forB = await call("GET", `${FW}/rules`, { token: acme.token, query: { gateway_id: String(b.id) } });
    expect(forB.body.rules.find((r: { id: number }) => r.id === res.body.rule_id)).toMatchObject({ scope: "gateway" });

    const foreign = await call("POST", `${FW}/rules/add`, {
      token: globex.token,
      body: { ...NTP_RULE, gateway_id: b.id },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toContain("body.gateway_id");
  });
});

describe("GET /firewall/rules", () => {
  it("answers the spec example's fields, sorted by priority, with chain and action counts and filters", async () => {
    await call("POST", `${FW}/rules/add`, {
      token: acme.token,
      body: {
        name: "Block Telnet",
        description: "Block insecure Telnet protocol",
        chain: "INPUT",
        port: "23",
        protocol: "TCP",
        action: "DROP",
        priority: 50,
      },
    });
    await call("POST", `${FW}/rules/add`, {
      token: acme.token,
      body: {
        name: "Egress DNS",
        chain: "OUTPUT",
        port: "53",
        protocol: "UDP",
        action: "ACCEPT",
        priority: 200,
        enabled: false,
      },
    });
    const res = await call("GET", `${FW}/rules`, { token: acme.token });
    expect(res.status).toBe(200);
    const telnet = res.body.rules.find((r: { name: string }) => r.name === "Block Telnet");
    expect(telnet).toEqual({
      id: expect.any(Number),
      name: "Block Telnet",
      description: "Block insecure Telnet protocol",
      chain: "INPUT",
      port: "23",
      protocol: "TCP",
      source: "0.0.0.0/0",
      destination: "0.0.0.0/0",
      action: "DROP",
      enabled: true,
      priority: 50,
      log_matches: false,
      created: expect.any(String),
      hit_count: 0,
      last_hit: null,
      scope: "tenant",
    });
    const priorities = res.body.rules.map((r: { priority: number }) => r.priority);
    expect(priorities).toEqual([...priorities].sort((x: number, y: number) => x - y));
    expect(res.body.chains).toEqual({ INPUT: 2, OUTPUT: 1, FORWARD: 0 });
    expect(res.body.actions).toEqual({ ACCEPT: 2, DROP: 1, REJECT: 0 });

    const output = await call("GET", `${FW}/rules`, { token: acme.token, query: { type: "output" } });
    expect(output.body.rules.map((r: { name: string }) => r.name)).toEqual(["Egress DNS"]);
    const disabled = await call("GET", `${FW}/rules`, { token: acme.token, query: { enabled: "false" } });
    expect(disabled.body.rules.map((r: { name: string }) => r.name)).toEqual(["Egress DNS"]);
    const one = await call("GET", `${FW}/rules`, { token: acme.token, query: { limit: "1" } });
    expect(one.body.rules).toHaveLength(1);
    const bad = await call("GET", `${FW}/rules`, { token: acme.token, query: { type: "prerouting" } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("query.type");
    // A disabled rule is not sent to the gateways.
    expect((desired(gw[0]?.thing ?? "").rules as { name: string }[]).map((r) => r.name)).not.toContain("Egress DNS");
  });
});

describe("POST /firewall/rules/update and /rules/remove", () => {
  it("updates like the spec example and answers each change as {old, new}", async () => {
    const added = await call("POST", `${FW}/rules/add`, {
      token: acme.token,
      body: {
        name: "MQTT Broker Access",
        description: "Allow MQTT connections",
        chain: "INPUT",
        port: "1883",
        protocol: "TCP",
        source: "192.168.1.0/24",
        action: "ACCEPT",
        priority: 150,
      },
    });
    const res = await call("POST", `${FW}/rules/update`, {
      token: acme.token,
      body: {
        rule_id: added.body.rule_id,
        name: "MQTT Broker Secure Access",
        description: "Allow MQTT from internal network only",
        source: "192.168.0.0/16",
        enabled: true,
        priority: 110,
        log_matches: true,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "updated",
      rule_id: added.body.rule_id,
      rule_name: "MQTT Broker Secure Access",
      message: "Firewall rule updated successfully",
      changes: {
        source: { old: "192.168.1.0/24", new: "192.168.0.0/16" },
        priority: { old: 150, new: 110 },
        name: { old: "MQTT Broker Access", new: "MQTT Broker Secure Access" },
        log_matches: { old: false, new: true },
      },
      requires_reload: true,
    });
    expect(res.body.changes.enabled).toBeUndefined();

    const bad = await call("POST", `${FW}/rules/update`, {
      token: acme.token,
      body: { rule_id: added.body.rule_id, protocol: "ICMP" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("body.port");
    const missing = await call("POST", `${FW}/rules/update`, {
      token: acme.token,
      body: { rule_id: 999_999, priority: 5 },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain("body.rule_id");
    const foreign = await call("POST", `${FW}/rules/update`, {
      token: globex.token,
      body: { rule_id: added.body.rule_id, priority: 5 },
    });
    expect(foreign.status).toBe(404);
  });

  it("removes like the spec example", async () => {
    const added = await call("POST", `${FW}/rules/add`, {
      token: acme.token,
      body: { name: "Temporary", chain: "INPUT", port: "8443", protocol: "TCP", action: "ACCEPT", priority: 400 },
    });
    const res = await call("POST", `${FW}/rules/remove`, {
      token: acme.token,
      body: { rule_id: added.body.rule_id, force: false },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "removed",
      rule_id: added.body.rule_id,
      rule_name: "Temporary",
      message: "Firewall rule removed successfully",
      requires_reload: true,
    });
    expect(
      (await call("POST", `${FW}/rules/remove`, { token: acme.token, body: { rule_id: added.body.rule_id } })).status,
    ).toBe(404);
  });

  it("needs force to remove the last default-deny rule, or the last SSH management rule under a DROP policy", async () => {
    const t = await newTenant("fw-force");
    const g = await register(t, "Force edge");
    const deny = await call("POST", `${FW}/rules/add`, {
      token: t.token,
      body: {
        name: "Default Deny",
        description: "Default deny all incoming traffic",
        chain: "INPUT",
        protocol: "ALL",
        source: "0.0.0.0/0",
        destination: "0.0.0.0/0",
        action: "DROP",
        priority: 1000,
      },
    });
    const ssh = await call("POST", `${FW}/rules/add`, {
      token: t.token,
      body: {
        name: "SSH Management Access",
        chain: "INPUT",
        port: "22",
        protocol: "TCP",
        source: "192.168.1.0/24",
        action: "ACCEPT",
        priority: 100,
      },
    });
    const version = desired(g.thing).config_version;

    const refused = await call("POST", `${FW}/rules/remove`, { token: t.token, body: { rule_id: deny.body.rule_id } });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/last default-deny rule.*body\.force/);
    const sshRefused = await call("POST", `${FW}/rules/remove`, {
      token: t.token,
      body: { rule_id: ssh.body.rule_id },
    });
    expect(sshRefused.status).toBe(409);
    expect(sshRefused.body.message).toMatch(/SSH management on port 22/);
    expect(desired(g.thing).config_version).toBe(version);

    expect(
      (await call("POST", `${FW}/rules/remove`, { token: t.token, body: { rule_id: deny.body.rule_id, force: true } }))
        .status,
    ).toBe(200);
    // Without a default-deny and with an ACCEPT policy, the SSH rule no longer guards anything.
    expect(
      (await call("POST", `${FW}/rules/remove`, { token: t.token, body: { rule_id: ssh.body.rule_id } })).status,
    ).toBe(200);
  });
});

describe("whitelist, blacklist and ports", () => {
  it("manages the whitelist like the spec example, refusing duplicates and addresses on the blacklist", async () => {
    const res = await call("POST", `${FW}/whitelist/manage`, {
      token: acme.token,
      body: {
        action: "add",
        ip_address: "10.0.1.0/24",
        description: "Engineering department network",
        expires: "2099-06-15T00:00:00Z",
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "updated",
      action: "added",
      ip_address: "10.0.1.0/24",
      message: "IP address added to whitelist",
      requires_reload: true,
      expires: "2099-06-15T00:00:00.000Z",
    });
    expect(res.body.whitelist).toContain("10.0.1.0/24");
    // The shadow carries the expiry, so the gateway's set element times out on its own…
    expect(desired(gw[0]?.thing ?? "").whitelist).toContainEqual({
      ip: "10.0.1.0/24",
      expires: "2099-06-15T00:00:00.000Z",
    });
    // …while the API keeps answering the spec's plain address strings.
    const status = await call("GET", `${FW}/status`, { token: acme.token });
    expect(status.body.ip_whitelist).toContain("10.0.1.0/24");
    expect(status.body.ip_whitelist.every((a: unknown) => typeof a === "string")).toBe(true);
    expect(res.body.whitelist.every((a: unknown) => typeof a === "string")).toBe(true);
    expect(
      (
        await call("POST", `${FW}/whitelist/manage`, {
          token: acme.token,
          body: { action: "add", ip_address: "10.0.1.0/24" },
        })
      ).status,
    ).toBe(409);
    const past = await call("POST", `${FW}/whitelist/manage`, {
      token: acme.token,
      body: { action: "add", ip_address: "10.0.2.0/24", expires: "2001-01-01T00:00:00Z" },
    });
    expect(past.status).toBe(400);
    expect(past.body.message).toContain("body.expires");
    const hostBits = await call("POST", `${FW}/whitelist/manage`, {
      token: acme.token,
      body: { action: "add", ip_address: "10.0.1.7/24" },
    });
    expect(hostBits.status).toBe(400);
    expect(hostBits.body.message).toContain("the network is 10.0.1.0/24");
    const crossed = await call("POST", `${FW}/blacklist/manage`, {
      token: acme.token,
      body: { action: "add", ip_address: "10.0.1.0/24" },
    });
    expect(crossed.status).toBe(409);
    const removed = await call("POST", `${FW}/whitelist/manage`, {
      token: acme.token,
      body: { action: "remove", ip_address: "10.0.1.0/24" },
    });
    expect(removed.body).toMatchObject({ action: "removed", message: "IP address removed from whitelist" });
    expect(removed.body.whitelist).not.toContain("10.0.1.0/24");
    expect(
      (
        await call("POST", `${FW}/whitelist/manage`, {
          token: acme.token,
          body: { action: "remove", ip_address: "10.0.1.0/24" },
        })
      ).status,
    ).toBe(404);
  });

  it("blacklists with duration_hours: the entry carries `expires`, and so does the shadow document", async () => {
    const before = Date.now();
    const res = await call("POST", `${FW}/blacklist/manage`, {
      token: acme.token,
      body: { action: "add", ip_address: "45.33.32.156", reason: "Malicious activity detected", duration_hours: 24 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "updated",
      action: "added",
      ip_address: "45.33.32.156",
      message: "IP address added to blacklist",
      requires_reload: true,
    });
    expect(res.body.blacklist).toContain("45.33.32.156");
    const expires = Date.parse(res.body.expires);
    expect(expires).toBeGreaterThanOrEqual(before + 24 * 3600_000);
    expect(expires).toBeLessThan(Date.now() + 24 * 3600_000 + 1000);
    expect(desired(gw[0]?.thing ?? "").blacklist).toContainEqual({ ip: "45.33.32.156", expires: res.body.expires });
    const everything = await call("POST", `${FW}/blacklist/manage`, {
      token: acme.token,
      body: { action: "add", ip_address: "0.0.0.0/0" },
    });
    expect(everything.status).toBe(400);
    expect(everything.body.message).toContain("body.ip_address");
  });

  it("really expires a blacklist entry: gone from status and from the next shadow document", async () => {
    const t = await newTenant("fw-expiry");
    const g = await register(t, "Expiry edge");
    const added = await call("POST", `${FW}/blacklist/manage`, {
      token: t.token,
      body: { action: "add", ip_address: "203.0.113.5", reason: "Short ban", duration_hours: 0.01 },
    });
    expect(added.status).toBe(200);
    expect((await call("GET", `${FW}/status`, { token: t.token })).body.ip_blacklist).toEqual(["203.0.113.5"]);
    expect(desired(g.thing).blacklist).toEqual([{ ip: "203.0.113.5", expires: added.body.expires }]);

    // 36 seconds later (the clock moves; nothing else does).
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(added.body.expires) + 1000);
    const status = await call("GET", `${FW}/status`, { token: t.token });
    expect(status.body.ip_blacklist).toEqual([]);
    const next = await call("POST", `${FW}/ports/manage`, {
      token: t.token,
      body: { action: "block", port: 8000, protocol: "TCP", reason: "dev server" },
    });
    expect(next.status).toBe(200);
    expect(desired(g.thing).blacklist).toEqual([]);
    expect(desired(g.thing).config_version).toBe(next.body.config_version);
  });

  it("expires a whitelist entry on the gateway itself: a timed nft element, then gone from status and the shadow", async () => {
    const t = await newTenant("fw-wl-expiry");
    const g = await register(t, "Whitelist expiry edge");
    const expires = new Date(Date.now() + 90_000).toISOString();
    const added = await call("POST", `${FW}/whitelist/manage`, {
      token: t.token,
      body: { action: "add", ip_address: "198.51.100.0/24", description: "Contractor", expires },
    });
    expect(added.status).toBe(200);
    expect(added.body.whitelist).toEqual(["198.51.100.0/24"]);
    const doc = desired(g.thing);
    expect(doc.whitelist).toEqual([{ ip: "198.51.100.0/24", expires }]);
    const rendered = await nftCheckDesired(doc);
    expect(rendered.text).toMatch(/elements = \{ 198\.51\.100\.0\/24 timeout 1m(2[89]|30)s \}/);
    expect(rendered.check).toEqual({ status: "valid" });
    // A gateway that renders the same document after the expiry leaves the entry out.
    const late = await nftCheckDesired(doc, new Date(Date.parse(expires) + 1000));
    expect(late.text).not.toContain("198.51.100.0/24");
    expect(late.check).toEqual({ status: "valid" });

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(expires) + 1000);
    const status = await call("GET", `${FW}/status`, { token: t.token });
    expect(status.body.ip_whitelist).toEqual([]);
    expect(status.body.whitelist_entries).toEqual([]);
    const next = await call("POST", `${FW}/ports/manage`, {
      token: t.token,
      body: { action: "block", port: 8001, protocol: "TCP" },
    });
    expect(next.status).toBe(200);
    expect(desired(g.thing).whitelist).toEqual([]);
  });

  it("blocks and unblocks ports like the spec example; never the SSH management port", async () => {
    const res = await call("POST", `${FW}/ports/manage`, {
      token: acme.token,
      body: { action: "block", port: 8080, protocol: "TCP", reason: "Unauthorized web server" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "updated",
      action: "blocked",
      port: 8080,
      protocol: "TCP",
      message: "Port blocked successfully",
      requires_reload: true,
    });
    expect(res.body.blocked_ports).toContain(8080);
    expect(desired(gw[0]?.thing ?? "").blocked_ports).toContainEqual({ port: 8080, protocol: "TCP" });
    expect(
      (
        await call("POST", `${FW}/ports/manage`, {
          token: acme.token,
          body: { action: "block", port: 8080, protocol: "TCP" },
        })
      ).status,
    ).toBe(409);
    const ssh = await call("POST", `${FW}/ports/manage`, { token: acme.token, body: { action: "block", port: 22 } });
    expect(ssh.status).toBe(409);
    expect(ssh.body.message).toContain("SSH management port");
    const bad = await call("POST", `${FW}/ports/manage`, { token: acme.token, body: { action: "block", port: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("body.port");
    const un = await call("POST", `${FW}/ports/manage`, {
      token: acme.token,
      body: { action: "unblock", port: 8080, protocol: "tcp" },
    });
    expect(un.body).toMatchObject({ action: "unblocked", message: "Port unblocked successfully" });
    expect(un.body.blocked_ports).not.toContain(8080);
  });
});

describe("POST /firewall/settings", () => {
  it("applies the spec example and answers restart_required and the changes", async () => {
    const res = await call("POST", `${FW}/settings`, {
      token: acme.token,
      body: {
        enabled: true,
        default_policy: "DROP",
        rate_limiting: { enabled: true, requests_per_second: 50, burst_size: 100 },
        dos_protection: true,
        syn_flood_protection: true,
        syn_flood_rate: 25,
        port_scan_detection: true,
        port_scan_threshold: 10,
        vpn_enabled: true,
        vpn_port: 1194,
        geo_blocking: false,
        log_level: "info",
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "updated",
      message: "Firewall settings updated successfully",
      restart_required: true,
      changes: {
        "rate_limiting.requests_per_second": { old: 20, new: 50 },
        "rate_limiting.burst_size": { old: 40, new: 100 },
        default_policy: { old: "ACCEPT", new: "DROP" },
        vpn_enabled: { old: false, new: true },
      },
      requires_reload: true,
      config_version: expect.any(Number),
      sync: { status: "pending", targeted: 2, execution_id: expect.any(String), error: null },
    });
    const doc = desired(gw[1]?.thing ?? "");
    expect(doc).toMatchObject({
      default_policy: "DROP",
      rate_limiting: { enabled: true, requests_per_second: 50, burst_size: 100 },
      dos_protection: true,
      syn_flood_protection: true,
      syn_flood_rate: 25,
      port_scan_detection: true,
      port_scan_threshold: 10,
      vpn_enabled: true,
      vpn_port: 1194,
    });
    expect(doc).not.toHaveProperty("geo_blocking");
    // Every setting nftables can express reaches the ruleset, and nft accepts it.
    const { text, check } = await nftCheckDesired(doc);
    expect(check).toEqual({ status: "valid" });
    expect(text).toContain('udp dport 1194 accept comment "VPN"');
    expect(text).toContain("update @ratelimit_v4 { ip saddr limit rate over 50/second burst 100 packets }");
    expect(text).toContain("tcp flags & (fin|syn|rst|ack) == syn limit rate over 25/second burst 50 packets");
    expect(text).toContain("update @portscan_meter_v4 { ip saddr limit rate over 10/minute burst 10 packets }");
    expect(text).toMatch(/add @dos_conns_v4 \{ ip saddr ct count over \d+ \}/);

    const bad = await call("POST", `${FW}/settings`, {
      token: acme.token,
      body: { rate_limiting: { requests_per_second: 500 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("body.rate_limiting.burst_size");
    const policy = await call("POST", `${FW}/settings`, { token: acme.token, body: { default_policy: "REJECT" } });
    expect(policy.status).toBe(400);
    expect(policy.body.message).toContain("body.default_policy");
  });

  it("changes what the gateway renders for each setting; geo_blocking is stored and said to be unenforced", async () => {
    const t = await newTenant("fw-settings");
    const g = await register(t, "Settings edge");
    const before = await call("GET", `${FW}/status`, { token: t.token });
    expect(before.body.not_enforced_on_gateway).toEqual([]);

    const res = await call("POST", `${FW}/settings`, {
      token: t.token,
      body: {
        port_scan_threshold: 25,
        vpn_enabled: true,
        vpn_port: 51820,
        dos_protection: false,
        syn_flood_rate: 200,
        rate_limiting: { requests_per_second: 5, burst_size: 15 },
        geo_blocking: true,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.requires_reload).toBe(true);
    const doc = desired(g.thing);
    expect(doc).toMatchObject({ port_scan_threshold: 25, vpn_port: 51820, dos_protection: false, syn_flood_rate: 200 });
    const { text, check } = await nftCheckDesired(doc);
    expect(check).toEqual({ status: "valid" });
    expect(text).toContain("limit rate over 25/minute burst 25 packets");
    expect(text).toContain('udp dport 51820 accept comment "VPN"');
    expect(text).not.toContain("dos_conns");
    expect(text).toContain("syn limit rate over 200/second");
    expect(text).toContain("limit rate over 5/second burst 15 packets");

    const status = await call("GET", `${FW}/status`, { token: t.token });
    expect(status.body.security_features).toMatchObject({
      geo_blocking: true,
      vpn_enabled: true,
      dos_protection: false,
    });
    expect(status.body.not_enforced_on_gateway).toEqual(["geo_blocking"]);

    // Only geo_blocking changes: stored, but nothing the gateway renders changes.
    const geoOff = await call("POST", `${FW}/settings`, { token: t.token, body: { geo_blocking: false } });
    expect(geoOff.body).toMatchObject({ changes: { geo_blocking: { old: true, new: false } }, requires_reload: false });

    const off = await call("POST", `${FW}/settings`, {
      token: t.token,
      body: {
        vpn_enabled: false,
        port_scan_detection: false,
        syn_flood_protection: false,
        rate_limiting: { enabled: false },
      },
    });
    expect(off.status).toBe(200);
    const offDoc = desired(g.thing);
    expect(offDoc).not.toHaveProperty("vpn_port");
    const offRendered = await nftCheckDesired(offDoc);
    expect(offRendered.check).toEqual({ status: "valid" });
    expect(offRendered.text).not.toMatch(/VPN|portscan_meter|ratelimit_|syn limit rate/);
  });
});

describe("status and logs from ingested log lines", () => {
  const line = (over: Record<string, unknown>) => ({
    timestamp: new Date().toISOString(),
    action: "DROP",
    protocol: "TCP",
    source_ip: "203.0.113.5",
    source_port: 54321,
    destination_ip: "192.168.1.100",
    destination_port: 23,
    interface: "eth0",
    out_interface: null,
    rule_id: null,
    rule_name: "Block Telnet",
    prefix: "WARDEN-R3-DROP ",
    bytes: 60,
    reason: "Port 23 blocked",
    ...over,
  });

  it("counts today's lines in status and the logs route, with top sources and ports", async () => {
    const t = await newTenant("fw-logs");
    const g = await register(t, "Logging edge");
    const rule = await call("POST", `${FW}/rules/add`, {
      token: t.token,
      body: {
        name: "Block Telnet",
        chain: "INPUT",
        port: "23",
        protocol: "TCP",
        action: "DROP",
        priority: 50,
        log_matches: true,
      },
    });
    const lines = [
      line({ rule_id: rule.body.rule_id }),
      line({ rule_id: rule.body.rule_id }),
      line({ rule_id: rule.body.rule_id, source_ip: "45.33.32.156" }),
      line({
        destination_port: 21,
        prefix: "WARDEN-PORTSCAN ",
        rule_name: "Port scan detection",
        reason: "Port scan pattern",
      }),
      line({
        destination_port: 80,
        prefix: "WARDEN-SYNFLOOD ",
        rule_name: "SYN flood protection",
        reason: "SYN flood",
        source_ip: "198.51.100.9",
      }),
      line({ action: "REJECT", destination_port: 8000, source_ip: "45.33.32.156", reason: null }),
      line({
        action: "ACCEPT",
        source_ip: "192.168.1.50",
        source_port: 54322,
        destination_port: 22,
        rule_name: "SSH Management Access",
        bytes: 120,
        reason: null,
      }),
    ];
    const stored = await ingest({
      type: "firewall_log",
      timestamp: new Date().toISOString(),
      lines,
      tenant: t.tenantId,
      thing: g.thing,
    });
    expect(stored).toEqual({ stored: true, gatewayId: g.id });

    const status = await call("GET", `${FW}/status`, { token: t.token });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      enabled: true,
      rules_count: 1,
      ip_whitelist: [],
      ip_blacklist: [],
      blocked_ports: [],
      allowed_ports: [],
      security_features: {
        rate_limiting: { enabled: true, requests_per_second: 20, burst_size: 40 },
        dos_protection: true,
        syn_flood_protection: true,
        port_scan_detection: true,
        vpn_enabled: false,
        geo_blocking: false,
      },
      statistics: {
        packets_blocked_today: 6,
        packets_allowed_today: 1,
        unique_ips_blocked: 3,
        dos_attacks_blocked: 1,
        port_scans_blocked: 1,
      },
      last_updated: expect.any(String),
    });

    const logs = await call("GET", `${FW}/logs`, { token: t.token });
    expect(logs.status).toBe(200);
    expect(logs.body.total).toBe(7);
    expect(logs.body.filtered).toBe(7);
    expect(logs.body.logs).toHaveLength(7);
    expect(logs.body.logs.find((l: { action: string }) => l.action === "ACCEPT")).toMatchObject({
      action: "ACCEPT",
      protocol: "TCP",
      source_ip: "192.168.1.50",
      source_port: 54322,
      destination_ip: "192.168.1.100",
      destination_port: 22,
      interface: "eth0",
      rule_name: "SSH Management Access",
      bytes: 120,
    });
    expect(logs.body.logs[0]).toHaveProperty("timestamp");
    expect(logs.body.statistics).toEqual({
      dropped: 5,
      accepted: 1,
      rejected: 1,
      top_source_ips: [
        { ip: "203.0.113.5", count: 3 },
        { ip: "45.33.32.156", count: 2 },
        { ip: "198.51.100.9", count: 1 },
      ],
      top_blocked_ports: [
        { port: 23, count: 3 },
        { port: 21, count: 1 },
        { port: 80, count: 1 },
        { port: 8000, count: 1 },
      ],
    });
    const rejected = await call("GET", `${FW}/logs`, {
      token: t.token,
      query: { action: "reject", limit: "5", hours: "1" },
    });
    expect(rejected.body.filtered).toBe(1);
    expect(rejected.body.logs.map((l: { action: string }) => l.action)).toEqual(["REJECT"]);
    const limited = await call("GET", `${FW}/logs`, { token: t.token, query: { limit: "2" } });
    expect(limited.body.logs).toHaveLength(2);
    const badHours = await call("GET", `${FW}/logs`, { token: t.token, query: { hours: "-1" } });
    expect(badHours.status).toBe(400);
    expect(badHours.body.message).toContain("query.hours");

    const rules = await call("GET", `${FW}/rules`, { token: t.token });
    expect(rules.body.rules[0]).toMatchObject({ hit_count: 3, last_hit: expect.any(String) });
    // Another tenant sees none of it.
    expect((await call("GET", `${FW}/logs`, { token: globex.token })).body.total).toBe(0);
  });

  it("summarizes the tenant-wide firewall for the status route", async () => {
    const t = await newTenant("fw-summary");
    expect(await firewallSummary(t.tenantId)).toEqual({ enabled: true, rules_active: 0 });
    await call("POST", `${FW}/rules/add`, {
      token: t.token,
      body: { name: "On", chain: "INPUT", port: "22", protocol: "TCP", action: "ACCEPT" },
    });
    await call("POST", `${FW}/rules/add`, {
      token: t.token,
      body: { name: "Off", chain: "INPUT", port: "23", protocol: "TCP", action: "DROP", enabled: false },
    });
    await call("POST", `${FW}/settings`, { token: t.token, body: { enabled: false } });
    expect(await firewallSummary(t.tenantId)).toEqual({ enabled: false, rules_active: 1 });
  });

  it("reads status with a handful of DynamoDB calls and no Scan", async () => {
    resetDbCalls();
    const res = await call("GET", `${FW}/status`, { token: acme.token });
    expect(res.status).toBe(200);
    const calls = dbCalls();
    expect(calls.byCommand.ScanCommand).toBeUndefined();
    expect(calls.total).toBeLessThanOrEqual(8);
  });
});

describe("the 8 KB shadow budget", () => {
  it("refuses the change that would not fit with 413 naming size and limit, and saves nothing", async () => {
    const t = await newTenant("fw-budget");
    const g = await register(t, "Budget edge");
    const rule = (i: number) => ({
      name: `Partner network ${String(i).padStart(3, "0")} ${"x".repeat(40)}`,
      chain: "INPUT",
      port: "10000-20000",
      protocol: "TCP",
      source: `203.0.${i}.0/24`,
      destination: "198.51.100.0/24",
      interface: "eth0.100",
      action: "ACCEPT",
      priority: 1000 + i,
      log_matches: true,
      log_prefix: `PARTNER_${i}_${"y".repeat(40)}`,
    });
    let refused: { status: number; body: { error: string; message: string } } | undefined;
    let accepted = 0;
    for (let i = 1; i <= 40 && !refused; i++) {
      const res = await call("POST", `${FW}/rules/add`, { token: t.token, body: rule(i) });
      if (res.status === 201) accepted++;
      else refused = res;
    }
    expect(refused?.status).toBe(413);
    expect(refused?.body.error).toBe("PAYLOAD_TOO_LARGE");
    expect(refused?.body.message).toMatch(/would be \d+ bytes; the limit is 7156 bytes/);
    expect(refused?.body.message).toContain("Nothing was saved");
    const rules = await call("GET", `${FW}/rules`, { token: t.token });
    expect(rules.body.rules).toHaveLength(accepted);
    expect((desired(g.thing).rules as unknown[]).length).toBe(accepted);
    expect(desired(g.thing).config_version).toBe(accepted);
  });
});
