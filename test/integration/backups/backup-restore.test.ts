/**
 * Backup, restore and reset of a tenant's security configuration, against DynamoDB Local, the
 * local IoT Core and the test blob folder: real tar.gz files, sealed under a password (scrypt) or
 * a data key; backup → reset → restore gives back the same state; a tampered, truncated,
 * wrong-password or other tenant's file is a 400 that changes nothing (state compared before and
 * after); reset pushes the defaults to the gateways and returns a one-time admin password.
 */
import { createHash, randomUUID } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");
const { tenantState } = await import("#test/helpers/tenant-state.ts");
const { newSshPublicKey } = await import("#test/helpers/world.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const S = "/cloud-integration/security";
const PASSWORD = "correct horse battery staple";

let acme: Tenant;
let globex: Tenant;
let gateway: { id: number; thing: string };
let operatorToken: string;
let apiKey: string;

/** A multipart/form-data body with a binary `file` part. */
function form(file: Buffer | undefined, fields: Record<string, string> = {}) {
  const boundary = `----backup${randomUUID().replace(/-/g, "")}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="security_backup.tar.gz"\r\n` +
          "Content-Type: application/gzip\r\n\r\n",
      ),
      file,
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    rawBody: Buffer.concat(parts),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

async function makeBackup(t: Tenant, query: Record<string, string> = {}) {
  const res = await call("GET", `${S}/backup`, { token: t.token, query });
  expect(res.status, res.text).toBe(200);
  const file = await call("GET", res.body.download_url, { token: t.token });
  expect(file.status).toBe(200);
  const bytes = Buffer.from(file.text, "latin1");
  return { info: res.body, file: await downloadBytes(t, res.body.download_url), headers: file.headers, bytes };
}

/** The download as bytes (call() decodes bodies as UTF-8 text; the file is binary). */
async function downloadBytes(t: Tenant, url: string): Promise<Buffer> {
  const { routeHandlers } = await import("#infra/local/route-handlers.ts");
  const { routes } = await import("#infra/routes.ts");
  const { resolve } = await import("node:path");
  const { lambdaContext } = await import("#infra/local/api-server.ts");
  const route = routes.find((r) => r.path === `${S}/backup/download/{id}`);
  if (!route) throw new Error("no download route");
  const id = url.split("/").pop() ?? "";
  const handler = await routeHandlers(resolve(import.meta.dirname, "../../.."))(route);
  const out = await handler(
    {
      version: "2.0",
      routeKey: `GET ${route.path}`,
      rawPath: url,
      rawQueryString: "",
      headers: { authorization: `Bearer ${t.token}` },
      pathParameters: { id },
      requestContext: {
        http: { method: "GET", path: url, protocol: "HTTP/1.1", sourceIp: "198.51.100.9", userAgent: "vitest" },
        requestId: randomUUID(),
      },
      isBase64Encoded: false,
    } as never,
    lambdaContext(route),
  );
  return Buffer.from(out.body ?? "", out.isBase64Encoded ? "base64" : "utf8");
}

async function untar(gz: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        if (h.type === "file") files.set(h.name, Buffer.concat(chunks).toString("utf8"));
        next();
      });
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  ex.end(gunzipSync(gz));
  await done;
  return files;
}

/** The tenant's configuration as its areas store it (test/helpers/tenant-state.ts). */
const state = (t: Tenant) => tenantState(t.tenantId);

const desiredFirewall = () => {
  const got = iot.shadows.get(gateway.thing, "firewall");
  if (got.kind !== "accepted") throw new Error("no firewall shadow");
  return got.document.state.desired as { rules?: unknown[]; config_version?: number };
};

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("bk-acme"), newTenant("bk-globex")]);
  const g = await call("POST", `${S}/gateways`, { token: acme.token, body: { name: "Backup edge" } });
  expect(g.status).toBe(201);
  gateway = { id: g.body.gateway.id, thing: g.body.gateway.thing_name };

  // A configuration worth backing up: policy, rules, lists, an override, SSH, a role, users, a key.
  const ok = async (method: string, path: string, body: unknown, _want?: number) => {
    const res = await call(method, `${S}${path}`, { token: acme.token, body });
    expect([200, 201], `${path}: ${res.status} ${res.text}`).toContain(res.status);
    return res.body;
  };
  await ok("POST", "/authentication/update", { password_policy: { min_length: 14, expiry_days: 60 } });
  await ok("POST", "/firewall/rules/add", {
    name: "Allow HTTPS",
    chain: "INPUT",
    port: "443",
    protocol: "TCP",
    source: "10.0.0.0/8",
    action: "ACCEPT",
  });
  await ok("POST", "/firewall/rules/add", {
    name: "Drop telnet",
    chain: "INPUT",
    port: "23",
    protocol: "TCP",
    action: "DROP",
  });
  await ok("POST", "/firewall/rules/add", {
    name: "Edge only: MQTT",
    chain: "INPUT",
    port: "8883",
    protocol: "TCP",
    action: "ACCEPT",
    gateway_id: gateway.id,
  });
  await ok("POST", "/firewall/whitelist/manage", { action: "add", ip_address: "192.0.2.0/24", description: "office" });
  await ok("POST", "/firewall/settings", { default_policy: "DROP", log_level: "warning" });
  await ok("POST", "/ssh/update", { port: 2222, session_timeout: 15 });
  const key = newSshPublicKey("ops@backup");
  const up = await call("POST", `${S}/ssh/upload-key`, {
    token: acme.token,
    ...(await import("#test/helpers/world.ts")).multipart([
      { name: "file", value: key.line, filename: "id.pub" },
      { name: "username", value: "ops" },
    ]),
  });
  expect(up.status, up.text).toBe(200);
  await ok(
    "POST",
    "/roles",
    { name: "auditor", description: "Reads the audit trail", permissions: ["audit:read"] },
    201,
  );
  const created = await ok(
    "POST",
    "/users/create",
    {
      username: "olivia",
      email: "olivia@example.com",
      full_name: "Olivia Ops",
      role: "operator",
      password: "Str0ng!Passphrase#2026",
    },
    201,
  );
  expect(created.user.username).toBe("olivia");
  const gen = await ok("POST", "/api-keys/generate", { name: "CI", scope: ["firewall:read"] }, 201);
  apiKey = gen.api_key.full_key;
  expect(apiKey).toMatch(/^sk_/);
  await ok("POST", "/tokens/settings", { access_token_ttl_seconds: 1800 });

  const login = await call("POST", "/api/v1/auth/token", {
    body: { username: "olivia", password: "Str0ng!Passphrase#2026" },
    ip: freshIp(),
  });
  operatorToken = login.body.access_token;
}, 60_000);

afterAll(async () => {
  await iot.stop();
});

describe("GET /backup", () => {
  it("makes a real encrypted backup: spec fields, real size and SHA-256 of the stored file", async () => {
    const { info, file } = await makeBackup(acme);
    expect(info).toMatchObject({
      backup_id: expect.stringMatching(/^backup-\d{8}-[0-9a-f]{6}$/),
      filename: expect.stringMatching(/^security_backup_\d{8}_\d{6}\.tar\.gz$/),
      download_url: `${S}/backup/download/${info.backup_id}`,
      encrypted: true,
      protection: "data-key",
    });
    expect(info.contains).toEqual(
      expect.arrayContaining([
        "users.json",
        "roles.json",
        "api_keys.json",
        "firewall_rules.json",
        "certificates/",
        "ssh_keys/",
        "audit_logs.csv",
      ]),
    );
    expect(file.subarray(0, 4).toString("ascii")).toBe("WBAK");
    expect(info.size_bytes).toBe(file.length);
    expect(info.checksum).toBe(`sha256:${createHash("sha256").update(file).digest("hex")}`);
    expect(Date.parse(info.expires) - Date.parse(info.created)).toBe(30 * 86_400_000);
  });

  it("unencrypted, holds the spec's files; API keys as hashes only, no password hash anywhere", async () => {
    const { info, file } = await makeBackup(acme, {
      encrypt: "false",
      components: "users,api_keys,firewall,ssh,audit_logs",
    });
    expect(info.encrypted).toBe(false);
    const files = await untar(file);
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        "manifest.json",
        "users.json",
        "api_keys.json",
        "firewall_rules.json",
        "ssh_keys/authorized_keys",
        "audit_logs.csv",
      ]),
    );
    expect(files.has("roles.json")).toBe(false);
    const keys = JSON.parse(files.get("api_keys.json") ?? "[]");
    expect(keys[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const all = [...files.values()].join("\n");
    expect(all).not.toContain(apiKey);
    expect(all).not.toMatch(/passwordHash|password_hash|\$argon2|\$scrypt/);
    expect(files.get("ssh_keys/authorized_keys")).toMatch(/^ssh-ed25519 \S+ ops ops@backup\n$/);
    expect(files.get("audit_logs.csv")).toMatch(/^timestamp,user,event/);
  });

  it("refuses an unknown component naming the field, and a password without encryption", async () => {
    const bad = await call("GET", `${S}/backup`, { token: acme.token, query: { components: "users,kernel" } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("kernel");
    const plain = await call("GET", `${S}/backup`, {
      token: acme.token,
      query: { encrypt: "false", password: PASSWORD },
    });
    expect(plain.status).toBe(400);
    expect(plain.text).toContain("password");
  });

  it("is admin only, and another tenant's backup is not found", async () => {
    const denied = await call("GET", `${S}/backup`, { token: operatorToken });
    expect(denied.status).toBe(403);
    const { info } = await makeBackup(acme, { components: "roles" });
    const foreign = await call("GET", info.download_url, { token: globex.token });
    expect(foreign.status).toBe(404);
  });
});

describe("backup → reset → restore", () => {
  it("gives back the same state (deep compare), and pushes it to the gateway", async () => {
    const before = (await state(acme)) as Record<string, unknown>;
    const { file } = await makeBackup(acme, { password: PASSWORD });

    const reset = await call("POST", `${S}/reset`, {
      token: acme.token,
      body: { confirm: true, preserve_users: true, preserve_api_keys: true, backup_before_reset: false },
    });
    expect(reset.status, reset.text).toBe(200);
    const afterReset = (await state(acme)) as Record<string, unknown>;
    expect(afterReset.firewall).not.toEqual(before.firewall);
    expect(afterReset.ssh).not.toEqual(before.ssh);
    expect(afterReset.authentication).not.toEqual(before.authentication);
    expect(desiredFirewall().rules ?? []).toEqual([]);

    const res = await call("POST", `${S}/restore`, { token: acme.token, ...form(file, { password: PASSWORD }) });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      status: "restored",
      restored_components: ["users", "roles", "api_keys", "firewall_rules", "ssh", "authentication", "settings"],
      skipped_components: ["certificates", "audit_logs"],
      users_restored: 2,
      rules_restored: 3, // two tenant-wide rules and the gateway's override
    });
    expect(await state(acme)).toEqual(before);
    expect((desiredFirewall().rules ?? []).length).toBe(3);

    const report = await call("GET", res.body.validation_report, { token: acme.token });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ status: "restored", checksum_verified: true, encrypted: true });
  }, 60_000);
});

describe("POST /restore refuses a bad file and changes nothing", () => {
  let sealed: Buffer;
  beforeAll(async () => {
    sealed = (await makeBackup(acme, { password: PASSWORD })).file;
    // Something to restore over: a change made after the backup.
    const res = await call("POST", `${S}/firewall/rules/add`, {
      token: acme.token,
      body: { name: "After backup", chain: "INPUT", port: "8080", protocol: "TCP", action: "ACCEPT" },
    });
    expect(res.status).toBe(201);
  }, 60_000);

  const cases: [string, () => { file: Buffer; password?: string; tenant?: () => Tenant }][] = [
    [
      "a flipped byte",
      () => {
        const f = Buffer.from(sealed);
        f[f.length - 40] = (f[f.length - 40] ?? 0) ^ 0x01;
        return { file: f, password: PASSWORD };
      },
    ],
    ["a truncated file", () => ({ file: sealed.subarray(0, sealed.length - 100), password: PASSWORD })],
    ["a wrong password", () => ({ file: sealed, password: "not the password at all" })],
    ["no password", () => ({ file: sealed })],
    ["another tenant's backup", () => ({ file: sealed, password: PASSWORD, tenant: () => globex })],
    ["not a backup", () => ({ file: Buffer.from("just some text"), password: PASSWORD })],
  ];
  for (const [name, make] of cases) {
    it(`${name} → 400`, async () => {
      const c = make();
      const t = c.tenant?.() ?? acme;
      const before = await state(t);
      const res = await call("POST", `${S}/restore`, {
        token: t.token,
        ...form(c.file, c.password ? { password: c.password } : {}),
      });
      expect(res.status, res.text).toBe(400);
      expect(await state(t)).toEqual(before);
    }, 30_000);
  }

  it("an unencrypted backup whose record checksum does not match → 400, nothing changed", async () => {
    const { file } = await makeBackup(acme, { encrypt: "false", components: "firewall" });
    const files = await untar(file);
    expect(files.has("firewall_rules.json")).toBe(true);
    // Re-gzip the same tar at another level: same contents, different bytes than the recorded file.
    const { gzipSync } = await import("node:zlib");
    const changed = gzipSync(gunzipSync(file), { level: 1 });
    const before = await state(acme);
    const res = await call("POST", `${S}/restore`, { token: acme.token, ...form(changed) });
    expect(res.status, res.text).toBe(400);
    expect(res.text).toContain("checksum");
    expect(await state(acme)).toEqual(before);
  }, 30_000);

  it("a record that breaks a route's rule (a bad CIDR) → 400 naming it, nothing changed", async () => {
    const { file } = await makeBackup(acme, { encrypt: "false", components: "firewall,authentication" });
    // Rebuild the archive with one bad source address and a manifest that matches it.
    const files = await untar(file);
    const fw = JSON.parse(files.get("firewall_rules.json") ?? "{}");
    fw.tenant.rules[0].source = "10.0.0.5/8";
    files.set("firewall_rules.json", `${JSON.stringify(fw, null, 2)}\n`);
    const manifest = JSON.parse(files.get("manifest.json") ?? "{}");
    manifest.backup_id = "backup-20250101-abcdef";
    for (const f of manifest.files) {
      const body = Buffer.from(files.get(f.name) ?? "", "utf8");
      f.size = body.length;
      f.sha256 = createHash("sha256").update(body).digest("hex");
    }
    files.set("manifest.json", JSON.stringify(manifest));
    const { packArchive } = await import("#shared/backups/archive.ts");
    const rebuilt = await packArchive(
      [...files].map(([name, body]) => ({ name, body: Buffer.from(body, "utf8") })),
      new Date(),
    );
    const before = await state(acme);
    const res = await call("POST", `${S}/restore`, { token: acme.token, ...form(rebuilt) });
    expect(res.status, res.text).toBe(400);
    expect(res.text).toContain("firewall_rules.json");
    expect(await state(acme)).toEqual(before);
    const report = await call("GET", `${S}/restore/report/backup-20250101-abcdef`, { token: acme.token });
    expect(report.body).toMatchObject({ status: "refused", checksum_verified: false, encrypted: false });
  }, 30_000);

  it("no file part → 400 naming `file`; an operator → 403", async () => {
    const missing = await call("POST", `${S}/restore`, {
      token: acme.token,
      ...form(undefined, { password: PASSWORD }),
    });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("file");
    const denied = await call("POST", `${S}/restore`, {
      token: operatorToken,
      ...form(sealed, { password: PASSWORD }),
    });
    expect(denied.status).toBe(403);
  });
});

describe("POST /reset", () => {
  it("needs confirm: true", async () => {
    const res = await call("POST", `${S}/reset`, { token: globex.token, body: { confirm: false } });
    expect(res.status).toBe(400);
    expect(res.text).toContain("confirm");
  });

  it("backs up first and names it, resets the admin password to a one-time generated one, revokes keys", async () => {
    const gen = await call("POST", `${S}/api-keys/generate`, {
      token: globex.token,
      body: { name: "to revoke", scope: ["firewall:read"] },
    });
    expect([200, 201]).toContain(gen.status);
    const res = await call("POST", `${S}/reset`, {
      token: globex.token,
      body: {
        confirm: true,
        preserve_users: false,
        preserve_api_keys: false,
        preserve_certificates: true,
        backup_before_reset: true,
        reason: "Misconfiguration recovery",
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      status: "reset",
      components_reset: ["authentication", "firewall", "ssh", "users", "api_keys"],
      components_preserved: ["certificates"],
      message: "Security settings reset to defaults",
      restart_required: true,
      api_keys_revoked: 1,
    });
    const password = res.body.default_admin_password as string;
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(password).not.toBe("Admin123!");
    expect(res.body.backup_file).toBe(`${S}/backup/download/${res.body.backup_id}`);
    // The reset ended the admin's sign-ins (new password): the stored backup is read directly.
    const { backupFile } = await import("#shared/backups/backups.ts");
    const stored = await backupFile(globex.tenantId, res.body.backup_id);
    expect(stored.body.subarray(0, 4).toString("ascii")).toBe("WBAK");
    expect(stored.record.components).toHaveLength(9);

    const old = await call("POST", "/api/v1/auth/token", {
      body: { username: globex.username, password: globex.password },
      ip: freshIp(),
    });
    expect(old.status).toBe(401);
    const fresh = await call("POST", "/api/v1/auth/token", {
      body: { username: globex.username, password },
      ip: freshIp(),
    });
    expect(fresh.status, fresh.text).not.toBe(401);

    const audit = await call("GET", `${S}/audit/logs?event_type=security_reset`, { token: acme.token });
    expect(audit.status).toBe(200);
  }, 60_000);
});
