/**
 * SSH routes of the gateway spec against DynamoDB Local and the local IoT Core: settings and their
 * consistency rules, public keys uploaded as multipart (type, size and fingerprint read from the
 * key, as ssh-keygen does), sessions from ingested events, and termination through the gateway's
 * ssh shadow.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call, multipart, newTenant, viewerToken: viewer } = await import("#test/helpers/api.ts");
const { viaTopicRule } = await import("#test/helpers/iot.ts");
const { handler: ingestHandler } = await import("#functions/iot/ingest.ts");
const ingest = viaTopicRule(ingestHandler);
const { sshSummary } = await import("#shared/fleet/ssh.ts");

const run = promisify(execFile);
type Tenant = Awaited<ReturnType<typeof newTenant>>;
const SSH = "/cloud-integration/security/ssh";

let acme: Tenant;
let globex: Tenant;
let viewerToken: string;
let dir: string;
const keys: Record<string, { text: string; fingerprint: string; size: number; type: string }> = {};
const gw: { id: number; thing: string }[] = [];

const desired = (thing: string) => {
  const got = iot.shadows.get(thing, "ssh");
  if (got.kind !== "accepted") throw new Error("no ssh shadow");
  return got.document.state.desired ?? {};
};

async function register(t: Tenant, name: string) {
  const res = await call("POST", "/cloud-integration/security/gateways", { token: t.token, body: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.gateway.id as number, thing: res.body.gateway.thing_name as string };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "warden-ssh-test-"));
  const kinds = {
    ed25519: ["-t", "ed25519"],
    rsa4096: ["-t", "rsa", "-b", "4096"],
    rsa1024: ["-t", "rsa", "-b", "1024"],
  };
  await Promise.all(
    Object.entries(kinds).map(async ([name, args]) => {
      await run("ssh-keygen", ["-q", ...args, "-N", "", "-C", `${name}@workstation`, "-f", join(dir, name)]);
      const { stdout } = await run("ssh-keygen", ["-lf", join(dir, `${name}.pub`)]);
      const [size = "0", fingerprint = "", , type = ""] = stdout.trim().split(" ");
      keys[name] = {
        text: await readFile(join(dir, `${name}.pub`), "utf8"),
        fingerprint,
        size: Number(size),
        type: type.replace(/[()]/g, ""),
      };
    }),
  );
  [acme, globex] = await Promise.all([newTenant("ssh-acme"), newTenant("ssh-globex")]);
  gw.push(await register(acme, "SSH edge A"), await register(acme, "SSH edge B"));
  viewerToken = await viewer(acme);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await iot.stop();
});

describe("GET /ssh/settings", () => {
  it("answers the spec example's fields; defaults are the example's values", async () => {
    const res = await call("GET", `${SSH}/settings`, { token: globex.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      enabled: true,
      port: 22,
      listen_address: "0.0.0.0",
      login_method: "key",
      password_authentication: false,
      restricted_shell: true,
      session_timeout: 30,
      max_sessions_per_user: 3,
      max_auth_attempts: 3,
      banner_enabled: true,
      banner_message: "Authorized access only. All activities are monitored.",
      allowed_commands: ["ls", "cat", "ifconfig", "ping", "tail", "grep", "df", "ps", "top", "free", "uptime", "who"],
      allowed_directories: ["/var/log", "/tmp"],
      public_key_uploaded: false,
      public_keys: [],
      last_connection: null,
      connections_today: 0,
      failed_attempts_today: 0,
    });
  });

  it("answers 401 without a token; a viewer reads the settings (ssh:read) but cannot change them", async () => {
    expect((await call("GET", `${SSH}/settings`)).status).toBe(401);
    expect((await call("GET", `${SSH}/settings`, { token: viewerToken })).status).toBe(200);
    const denied = await call("POST", `${SSH}/update`, { token: viewerToken, body: { max_auth_attempts: 3 } });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("ssh:write");
  });
});

describe("POST /ssh/update", () => {
  it("applies the spec example: restart_required, changes, and every gateway's ssh shadow", async () => {
    const res = await call("POST", `${SSH}/update`, {
      token: acme.token,
      body: {
        enabled: true,
        port: 2222,
        listen_address: "192.168.1.100",
        login_method: "both",
        password_authentication: true,
        restricted_shell: true,
        session_timeout: 45,
        max_sessions_per_user: 5,
        max_auth_attempts: 5,
        banner_enabled: true,
        banner_message: "WARNING: Unauthorized access is prohibited.",
        allowed_commands: ["ls", "cat", "tail", "ps", "df", "free", "uptime"],
        allowed_directories: ["/var/log", "/tmp", "/home/admin"],
        require_tty: true,
        compression: false,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "updated",
      message: "SSH settings updated successfully",
      restart_required: true,
      changes: {
        port: { old: 22, new: 2222 },
        login_method: { old: "key", new: "both" },
        session_timeout: { old: 30, new: 45 },
        password_authentication: { old: false, new: true },
        listen_address: { old: "0.0.0.0", new: "192.168.1.100" },
      },
      sync: { status: "pending", targeted: 2, execution_id: expect.any(String), error: null },
    });
    for (const g of gw) {
      expect(desired(g.thing)).toMatchObject({
        config_version: res.body.config_version,
        port: 2222,
        listen_address: "192.168.1.100",
        login_method: "both",
        password_authentication: true,
        permit_root_login: false,
        session_timeout_minutes: 45,
        max_sessions: 5,
        max_auth_attempts: 5,
        allowed_commands: ["ls", "cat", "tail", "ps", "df", "free", "uptime"],
      });
    }
    // A settings-only change that sshd reloads without a restart.
    const reload = await call("POST", `${SSH}/update`, { token: acme.token, body: { banner_message: "Monitored." } });
    expect(reload.body.restart_required).toBe(false);
    expect(reload.body.changes).toEqual({
      banner_message: { old: "WARNING: Unauthorized access is prohibited.", new: "Monitored." },
    });
  });

  it("derives password_authentication from login_method, and refuses a contradiction naming the field", async () => {
    const derived = await call("POST", `${SSH}/update`, { token: globex.token, body: { login_method: "password" } });
    expect(derived.body.changes.password_authentication).toEqual({ old: false, new: true });
    const back = await call("POST", `${SSH}/update`, { token: globex.token, body: { password_authentication: false } });
    expect(back.body.changes.login_method).toEqual({ old: "password", new: "key" });
    const contradiction = await call("POST", `${SSH}/update`, {
      token: globex.token,
      body: { login_method: "key", password_authentication: true },
    });
    expect(contradiction.status).toBe(400);
    expect(contradiction.body.message).toContain("body.password_authentication");
  });

  it.each([
    [{ port: 0 }, "body.port"],
    [{ port: 65536 }, "body.port"],
    [{ listen_address: "192.168.1.0/24" }, "body.listen_address"],
    [{ listen_address: "gateway.local" }, "body.listen_address"],
    [{ login_method: "token" }, "body.login_method"],
    [{ max_auth_attempts: 11 }, "body.max_auth_attempts"],
    [{ max_auth_attempts: 0 }, "body.max_auth_attempts"],
    [{ session_timeout: -1 }, "body.session_timeout"],
    [{ max_sessions_per_user: 0 }, "body.max_sessions_per_user"],
    [{ allowed_directories: ["/var/../etc"] }, "body.allowed_directories.0"],
    [{ allowed_directories: ["relative"] }, "body.allowed_directories.0"],
    [{ allowed_commands: ["ls", "rm -rf /"] }, "body.allowed_commands.1"],
    [{ banner_message: "bell\u0007" }, "body.banner_message"],
    [{ permit_root_login: true }, "body.permit_root_login"],
  ])("refuses %j with a 400 naming %s", async (body, field) => {
    const res = await call("POST", `${SSH}/update`, { token: acme.token, body });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(field);
  });

  it("answers 403 for a viewer and changes nothing", async () => {
    const res = await call("POST", `${SSH}/update`, { token: viewerToken, body: { port: 2200 } });
    expect(res.status).toBe(403);
    expect((await call("GET", `${SSH}/settings`, { token: acme.token })).body.port).toBe(2222);
  });
});

describe("POST /ssh/upload-key and /ssh/remove-key", () => {
  it("uploads a key as multipart like the spec example; fingerprint, type and size agree with ssh-keygen -lf", async () => {
    const key = keys.rsa4096;
    if (!key) throw new Error("key missing");
    const res = await call("POST", `${SSH}/upload-key`, {
      token: acme.token,
      ...multipart([
        { name: "file", value: key.text, filename: "id_rsa.pub" },
        { name: "username", value: "admin" },
        { name: "comment", value: "admin-laptop" },
      ]),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "uploaded",
      fingerprint: key.fingerprint,
      key_type: "RSA",
      key_size: 4096,
      comment: "admin-laptop",
      username: "admin",
      added: expect.any(String),
      message: "SSH public key uploaded successfully",
    });
    expect(key).toMatchObject({ type: "RSA", size: 4096 });
    const blob = key.text.split(" ")[1];
    for (const g of gw) {
      expect(desired(g.thing).authorized_keys).toContainEqual({
        username: "admin",
        key: `ssh-rsa ${blob} admin-laptop`,
        fingerprint: key.fingerprint,
      });
    }
    const settings = await call("GET", `${SSH}/settings`, { token: acme.token });
    expect(settings.body.public_key_uploaded).toBe(true);
    expect(settings.body.public_keys).toContainEqual({
      fingerprint: key.fingerprint,
      type: "RSA",
      size: 4096,
      comment: "admin-laptop",
      added: res.body.added,
      username: "admin",
    });
  });

  it("refuses a duplicate fingerprint (409), weak and malformed keys (400), and broken forms", async () => {
    const rsa = keys.rsa4096?.text ?? "";
    const dup = await call("POST", `${SSH}/upload-key`, {
      token: acme.token,
      ...multipart([
        { name: "file", value: rsa, filename: "k.pub" },
        { name: "username", value: "ops01" },
      ]),
    });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toContain("already installed");
    const weak = await call("POST", `${SSH}/upload-key`, {
      token: acme.token,
      ...multipart([
        { name: "file", value: keys.rsa1024?.text ?? "", filename: "k.pub" },
        { name: "username", value: "ops01" },
      ]),
    });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toBe("file: RSA keys must have at least 2048 bits; this key has 1024");
    const junk = await call("POST", `${SSH}/upload-key`, {
      token: acme.token,
      ...multipart([
        { name: "file", value: "hello", filename: "k.pub" },
        { name: "username", value: "ops01" },
      ]),
    });
    expect(junk.status).toBe(400);
    expect(junk.body.message).toMatch(/^file: not an OpenSSH public key/);
    const noFile = await call("POST", `${SSH}/upload-key`, {
      token: acme.token,
      ...multipart([{ name: "username", value: "ops01" }]),
    });
    expect(noFile.status).toBe(400);
    expect(noFile.body.message).toContain("file: field required");
    const noUser = await call("POST", `${SSH}/upload-key`, {
      token: acme.token,
      ...multipart([{ name: "file", value: keys.ed25519?.text ?? "", filename: "k.pub" }]),
    });
    expect(noUser.status).toBe(400);
    expect(noUser.body.message).toContain("body.username");
    const badUser = await call("POST", `${SSH}/upload-key`, {
      token: acme.token,
      ...multipart([
        { name: "file", value: keys.ed25519?.text ?? "", filename: "k.pub" },
        { name: "username", value: "root;id" },
      ]),
    });
    expect(badUser.status).toBe(400);
    expect(badUser.body.message).toContain("body.username");
    const json = await call("POST", `${SSH}/upload-key`, { token: acme.token, body: { file: "x", username: "ops01" } });
    expect(json.status).toBe(415);
    expect(json.body.error).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect((await call("POST", `${SSH}/upload-key`, { ...multipart([{ name: "username", value: "x" }]) })).status).toBe(
      401,
    );
  });

  it("removes a key like the spec example; a second removal or another tenant's is a 404", async () => {
    const key = keys.ed25519;
    if (!key) throw new Error("key missing");
    const up = await call("POST", `${SSH}/upload-key`, {
      token: acme.token,
      ...multipart([
        { name: "file", value: key.text, filename: "id_ed25519.pub" },
        { name: "username", value: "ops01" },
      ]),
    });
    expect(up.body).toMatchObject({
      key_type: "ED25519",
      key_size: 256,
      fingerprint: key.fingerprint,
      comment: "ed25519@workstation",
    });
    const foreign = await call("POST", `${SSH}/remove-key`, {
      token: globex.token,
      body: { fingerprint: key.fingerprint, username: "ops01" },
    });
    expect(foreign.status).toBe(404);
    const res = await call("POST", `${SSH}/remove-key`, {
      token: acme.token,
      body: { fingerprint: key.fingerprint, username: "ops01" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "removed",
      fingerprint: key.fingerprint,
      username: "ops01",
      message: "SSH public key removed successfully",
    });
    expect(
      (desired(gw[0]?.thing ?? "").authorized_keys as { fingerprint: string }[]).map((k) => k.fingerprint),
    ).not.toContain(key.fingerprint);
    expect(
      (
        await call("POST", `${SSH}/remove-key`, {
          token: acme.token,
          body: { fingerprint: key.fingerprint, username: "ops01" },
        })
      ).status,
    ).toBe(404);
    const bad = await call("POST", `${SSH}/remove-key`, {
      token: acme.token,
      body: { fingerprint: "MD5:aa", username: "ops01" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("body.fingerprint");
  });
});

describe("sessions from ingested events, and termination", () => {
  // "Today" is the UTC day the sessions started on: a session started `min` minutes ago, but never
  // before today's midnight, so the counters hold whatever time of day the suite runs.
  const minutesAgo = (min: number) =>
    new Date(Math.max(Date.now() - min * 60_000, Date.parse(new Date().toISOString().slice(0, 10)))).toISOString();
  const adminStarted = minutesAgo(45);
  const started = (thing: string, tenant: string, over: Record<string, unknown>) =>
    ingest({
      type: "ssh_session",
      timestamp: new Date().toISOString(),
      event: "started",
      session_id: "4242",
      username: "admin",
      client_ip: "192.168.1.100",
      client_port: 51000,
      started: adminStarted,
      tty: "pts/0",
      process_id: 1234,
      auth_method: "publickey",
      tenant,
      thing,
      ...over,
    });

  /** HH:MM:SS of `ms`, allowing the minute to tick over while the request runs. */
  const durationAround = (ms: number) => {
    const m = Math.floor(ms / 60_000);
    const hhmm = (x: number) => `${String(Math.floor(x / 60)).padStart(2, "0")}:${String(x % 60).padStart(2, "0")}`;
    return new RegExp(`^(${hhmm(m)}|${hhmm(m + 1)}):\\d\\d$`);
  };

  it("lists active sessions with computed durations, and today's ended ones when asked", async () => {
    const [a, b] = gw;
    if (!a || !b) throw new Error("gateways missing");
    expect(await started(a.thing, acme.tenantId, {})).toMatchObject({ stored: true });
    expect(
      await started(b.thing, acme.tenantId, { session_id: "4242", username: "ops01", client_ip: "10.0.0.15" }),
    ).toMatchObject({ stored: true });
    const endedAt = new Date().toISOString();
    const opsStarted = minutesAgo(30);
    await started(b.thing, acme.tenantId, {
      session_id: "77",
      username: "ops01",
      client_ip: "10.0.0.15",
      started: opsStarted,
    });
    await ingest({
      type: "ssh_session",
      timestamp: endedAt,
      event: "ended",
      session_id: "77",
      username: "ops01",
      client_ip: "10.0.0.15",
      started: opsStarted,
      ended: endedAt,
      termination_reason: "user_exit",
      tenant: acme.tenantId,
      thing: b.thing,
    });

    const res = await call("GET", `${SSH}/sessions`, { token: acme.token });
    expect(res.status).toBe(200);
    expect(res.body.active_sessions).toHaveLength(2);
    const admin = res.body.active_sessions.find((s: { username: string }) => s.username === "admin");
    expect(admin).toMatchObject({
      session_id: `gw${a.id}-4242`,
      username: "admin",
      client_ip: "192.168.1.100",
      client_hostname: null,
      started: expect.any(String),
      duration: expect.stringMatching(durationAround(Date.now() - Date.parse(adminStarted))),
      command_count: 0,
      last_command: null,
      last_command_time: null,
      tty: "pts/0",
      process_id: 1234,
      idle_time: expect.stringMatching(/^\d\d:\d\d:\d\d$/),
      gateway_id: a.id,
    });
    expect(res.body.recent_sessions).toEqual([]);
    expect(res.body).toMatchObject({ total_sessions_today: 3, unique_users_today: 2, unique_ips_today: 2 });

    const all = await call("GET", `${SSH}/sessions`, { token: acme.token, query: { active_only: "false" } });
    expect(all.body.recent_sessions).toEqual([
      {
        session_id: `gw${b.id}-77`,
        username: "ops01",
        client_ip: "10.0.0.15",
        started: expect.any(String),
        ended: endedAt,
        duration: expect.stringMatching(
          durationAround(Math.max(0, Date.parse(endedAt) - Date.parse(opsStarted) - 30_000)),
        ),
        command_count: 0,
        termination_reason: "user_exit",
        gateway_id: b.id,
      },
    ]);
    const settings = await call("GET", `${SSH}/settings`, { token: acme.token });
    expect(settings.body).toMatchObject({
      connections_today: 3,
      failed_attempts_today: 0,
      last_connection: expect.any(String),
    });
    expect((await call("GET", `${SSH}/sessions`, { token: globex.token })).body.active_sessions).toEqual([]);
    expect(await sshSummary(acme.tenantId)).toEqual({
      enabled: true,
      password_authentication: true,
      active_sessions: 2,
    });
    expect(await sshSummary(globex.tenantId)).toMatchObject({ active_sessions: 0 });
    const bad = await call("GET", `${SSH}/sessions`, { token: acme.token, query: { active_only: "maybe" } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("query.active_only");
  });

  it("terminates through the session's gateway shadow only, like the spec example", async () => {
    const [a, b] = gw;
    if (!a || !b) throw new Error("gateways missing");
    const bVersion = desired(b.thing).config_version;
    const res = await call("POST", `${SSH}/terminate`, {
      token: acme.token,
      body: { session_id: `gw${a.id}-4242`, reason: "Security maintenance", notify_user: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "terminated",
      session_id: `gw${a.id}-4242`,
      username: "admin",
      message: "SSH session terminated successfully",
      user_notified: true,
      session_duration: expect.stringMatching(/^00:4[5-6]:\d\d$/),
    });
    expect(desired(a.thing).terminate_sessions).toEqual([{ session_id: "4242", requested_at: expect.any(String) }]);
    expect(desired(b.thing).config_version).toBe(bVersion);
    expect(desired(b.thing).terminate_sessions).toEqual([]);

    const sessions = await call("GET", `${SSH}/sessions`, { token: acme.token });
    expect(
      sessions.body.active_sessions.find((s: { session_id: string }) => s.session_id === `gw${a.id}-4242`)
        .termination_requested,
    ).toMatchObject({
      reason: "Security maintenance",
      notify_user: true,
    });
    const again = await call("POST", `${SSH}/terminate`, { token: acme.token, body: { session_id: `gw${a.id}-4242` } });
    expect(again.status).toBe(409);
    const ended = await call("POST", `${SSH}/terminate`, { token: acme.token, body: { session_id: `gw${b.id}-77` } });
    expect(ended.status).toBe(409);
    expect(ended.body.message).toContain("already ended");
    const unknown = await call("POST", `${SSH}/terminate`, { token: acme.token, body: { session_id: "ssh-001" } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain("body.session_id");
    const foreign = await call("POST", `${SSH}/terminate`, {
      token: globex.token,
      body: { session_id: `gw${b.id}-4242` },
    });
    expect(foreign.status).toBe(404);
    const denied = await call("POST", `${SSH}/terminate`, {
      token: viewerToken,
      body: { session_id: `gw${b.id}-4242` },
    });
    expect(denied.status).toBe(403);
  });
});

describe("failed logins from ingested events", () => {
  it("count in failed_attempts_today (UTC day), per gateway, stored with the sessions' TTL", async () => {
    const t = await newTenant("ssh-failures");
    const [one, two] = [await register(t, "Failures A"), await register(t, "Failures B")];
    const now = new Date();
    const yesterday = new Date(now.getTime() - 86_400_000).toISOString();
    const failure = (over: Record<string, unknown> = {}) => ({
      timestamp: now.toISOString(),
      username: "root",
      client_ip: "203.0.113.9",
      client_port: 40112,
      reason: "failed_password",
      ...over,
    });
    const event = (thing: string, failures: unknown[], tenant = t.tenantId) =>
      ingest({ type: "ssh_auth_failure", timestamp: now.toISOString(), failures, tenant, thing });

    expect(
      await event(one.thing, [
        failure(),
        failure({ username: "oracle", reason: "invalid_user" }),
        failure({ timestamp: yesterday }),
      ]),
    ).toMatchObject({ stored: true, gatewayId: one.id });
    expect(await event(two.thing, [failure({ client_ip: "2001:db8::7", reason: "preauth_disconnect" })])).toMatchObject(
      {
        stored: true,
      },
    );
    // Refused by the contract (unknown reason, empty batch) or by ownership: nothing counts.
    expect(await event(one.thing, [failure({ reason: "bored" })])).toMatchObject({ stored: false });
    expect(await event(one.thing, [])).toMatchObject({ stored: false });
    expect(await event(one.thing, [failure({ timestamp: "yesterday-ish" })])).toMatchObject({ stored: false });
    expect(await event(gw[0]?.thing ?? "", [failure()], t.tenantId)).toMatchObject({ stored: false });

    const all = await call("GET", `${SSH}/settings`, { token: t.token });
    expect(all.body).toMatchObject({ failed_attempts_today: 3, connections_today: 0, last_connection: null });
    const ofOne = await call("GET", `${SSH}/settings`, { token: t.token, query: { gateway_id: String(one.id) } });
    expect(ofOne.body.failed_attempts_today).toBe(2);
    const ofTwo = await call("GET", `${SSH}/settings`, { token: t.token, query: { gateway_id: String(two.id) } });
    expect(ofTwo.body.failed_attempts_today).toBe(1);
    // Another tenant's count is untouched.
    expect((await call("GET", `${SSH}/settings`, { token: globex.token })).body.failed_attempts_today).toBe(0);

    const { queryAll } = await import("#shared/table/repo.ts");
    const { sshAuthFailureKeys } = await import("#shared/fleet/db/ssh-auth-failures.ts");
    const { retentionDays } = await import("#shared/fleet/ingest.ts");
    const stored = await queryAll({
      tenantId: t.tenantId,
      pk: sshAuthFailureKeys.dayPk(t.tenantId, now.toISOString().slice(0, 10)),
    });
    expect(stored).toHaveLength(3);
    expect(stored.find((i) => i.username === "oracle")).toMatchObject({
      gateway_id: one.id,
      client_ip: "203.0.113.9",
      reason: "invalid_user",
    });
    const ttl = Math.floor(Date.now() / 1000) + (await retentionDays(t.tenantId)) * 86_400;
    for (const item of stored) expect(Math.abs(Number(item.expiresAt) - ttl)).toBeLessThan(120);
  });
});
