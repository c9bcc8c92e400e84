/**
 * A restore is all-or-nothing for its user: a write that fails in the middle (here a real one — the
 * gateway whose firewall overrides the backup holds is deregistered after the restore validated the
 * file and before it writes, so the firewall area's own check refuses that scope after the
 * authentication policy, the settings and the tenant-wide firewall were already written) puts every
 * earlier write back. The tenant's state after equals its state before; the answer is a 409 that
 * says so, and GET /restore/report/{id} gives each component's outcome.
 *
 * Against DynamoDB Local, the local IoT Core and the test blob folder; the only seam is the
 * restore's write hook (shared/backups/restore.ts), where the concurrent change is made.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { tenantState } = await import("#test/helpers/tenant-state.ts");
const { useRestoreWriteHook } = await import("#shared/backups/restore.ts");
const { backupFile } = await import("#shared/backups/backups.ts");
const { RestoreReportResponse } = await import("#shared/backups/views.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const S = "/cloud-integration/security";

let acme: Tenant;
let gatewayId: number;
let oliviaId: number;

function form(file: Buffer) {
  const boundary = `----restore${randomUUID().replace(/-/g, "")}`;
  const rawBody = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="security_backup.tar.gz"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n",
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { rawBody, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

async function ok(method: string, path: string, body?: unknown) {
  const res = await call(method, `${S}${path}`, { token: acme.token, body });
  expect([200, 201], `${path}: ${res.status} ${res.text}`).toContain(res.status);
  return res.body;
}

/** The tenant's configuration as its areas store it (test/helpers/tenant-state.ts). */
const state = (t: Tenant) => tenantState(t.tenantId);

beforeAll(async () => {
  acme = await newTenant("bk-rollback");
  const g = await call("POST", `${S}/gateways`, { token: acme.token, body: { name: "Rollback edge" } });
  expect(g.status).toBe(201);
  gatewayId = g.body.gateway.id;
  await ok("POST", "/authentication/update", { password_policy: { min_length: 14 } });
  await ok("POST", "/firewall/rules/add", {
    name: "HTTPS",
    chain: "INPUT",
    port: "443",
    protocol: "TCP",
    action: "ACCEPT",
  });
  await ok("POST", "/firewall/rules/add", {
    name: "Edge only: MQTT",
    chain: "INPUT",
    port: "8883",
    protocol: "TCP",
    action: "ACCEPT",
    gateway_id: gatewayId,
  });
  await ok("POST", "/ssh/update", { port: 2222 });
  await ok("POST", "/tokens/settings", { access_token_ttl_seconds: 1800 });
  // Login names are unique across tenants: a fixed one would collide with another file's user.
  const suffix = randomUUID().slice(0, 8);
  const olivia = await ok("POST", "/users/create", {
    username: `olivia-${suffix}`,
    email: `olivia-${suffix}@example.com`,
    full_name: "Olivia Ops",
    role: "operator",
    password: "Str0ng!Passphrase#2026",
  });
  oliviaId = olivia.user.id;
}, 60_000);

afterEach(() => useRestoreWriteHook(undefined));
afterAll(async () => {
  await iot.stop();
});

describe("a restore that fails in the middle", () => {
  it("puts back everything it wrote: the tenant's state is unchanged, the answer and the report say so", async () => {
    const made = await ok("GET", "/backup");
    const { body: file } = await backupFile(acme.tenantId, made.backup_id);
    // Changes after the backup, so the restore has something to write in every component.
    await ok("POST", "/authentication/update", { password_policy: { min_length: 10 } });
    await ok("POST", "/firewall/rules/add", {
      name: "Grafana",
      chain: "INPUT",
      port: "3000",
      protocol: "TCP",
      action: "ACCEPT",
    });
    await ok("POST", "/ssh/update", { port: 2200 });
    await ok("POST", "/tokens/settings", { access_token_ttl_seconds: 900 });
    await ok("POST", "/users/update", { user_id: oliviaId, full_name: "Olivia Renamed" });

    // Validation is done when the hook runs: the gateway goes away before the first write.
    let before: unknown;
    let reached: readonly string[] = [];
    useRestoreWriteHook(async (components) => {
      reached = components;
      const del = await call("DELETE", `${S}/gateways/${gatewayId}`, { token: acme.token });
      expect(del.status, del.text).toBe(200);
      before = await state(acme);
    });

    const res = await call("POST", `${S}/restore`, { token: acme.token, ...form(file) });

    expect(reached).toEqual(expect.arrayContaining(["authentication", "firewall_rules", "ssh", "settings"]));
    expect(res.status, res.text).toBe(409);
    expect(res.text).toContain("The restore was undone: writing firewall_rules failed");
    expect(res.text).toContain(`no gateway ${gatewayId}`);
    expect(await state(acme)).toEqual(before);

    const report = await call("GET", `${S}/restore/report/${made.backup_id}`, { token: acme.token });
    expect(report.status).toBe(200);
    RestoreReportResponse.parse(report.body);
    expect(report.body.status).toBe("rolled_back");
    const outcome = Object.fromEntries(
      report.body.components.map((c: { component: string; outcome: string; written: number }) => [
        c.component,
        [c.outcome, c.written],
      ]),
    );
    expect(outcome).toMatchObject({
      authentication: ["rolled_back", 0],
      settings: ["rolled_back", 0],
      firewall_rules: ["rolled_back", 0],
      ssh: ["not_written", 0],
      users: ["not_written", 0],
    });
    expect(report.body.errors[0]).toContain("writing firewall_rules failed");

    // Without the concurrent change the same file restores (the roll-back left nothing in its way).
    useRestoreWriteHook(undefined);
    const again = await call("POST", `${S}/restore`, { token: acme.token, ...form(file) });
    expect(again.status, again.text).toBe(200);
    expect(again.body.skipped_components).toEqual(expect.arrayContaining(["certificates", "audit_logs"]));
    const after = (await state(acme)) as { authentication: { password_policy: { min_length: number } } };
    expect(after.authentication.password_policy.min_length).toBe(14);
  });
});

describe("POST /restore with backup_id (beyond spec: a stored backup, no upload)", () => {
  it("restores the tenant's stored backup by id, as JSON or as a form field", async () => {
    const made = await ok("GET", "/backup", undefined);
    await ok("POST", "/authentication/update", { password_policy: { min_length: 11 } });

    const res = await call("POST", `${S}/restore`, {
      token: acme.token,
      body: { backup_id: made.backup_id, components: ["authentication"] },
    });

    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      status: "restored",
      backup_id: made.backup_id,
      restored_components: ["authentication"],
    });
    const policy = (await state(acme)) as { authentication: { password_policy: { min_length: number } } };
    expect(policy.authentication.password_policy.min_length).toBe(14);

    await ok("POST", "/authentication/update", { password_policy: { min_length: 12 } });
    const boundary = `----byid${randomUUID().replace(/-/g, "")}`;
    const field = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const asForm = await call("POST", `${S}/restore`, {
      token: acme.token,
      rawBody: Buffer.from(
        `${field("backup_id", made.backup_id)}${field("components", "authentication")}--${boundary}--\r\n`,
      ),
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    expect(asForm.status, asForm.text).toBe(200);
    const again = (await state(acme)) as { authentication: { password_policy: { min_length: number } } };
    expect(again.authentication.password_policy.min_length).toBe(14);
  });

  it("another tenant's backup id is a 404 and changes nothing; a malformed id or a file and an id together are 400s", async () => {
    const globex = await newTenant("bk-byid-other");
    const theirs = await call("GET", `${S}/backup`, { token: globex.token });
    expect(theirs.status).toBe(200);
    const before = await state(acme);

    const cross = await call("POST", `${S}/restore`, { token: acme.token, body: { backup_id: theirs.body.backup_id } });

    expect(cross.status).toBe(404);
    expect(await state(acme)).toEqual(before);
    const bad = await call("POST", `${S}/restore`, { token: acme.token, body: { backup_id: "../etc/passwd" } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("backup_id");
    const mine = await ok("GET", "/backup", undefined);
    const { body: file } = await backupFile(acme.tenantId, mine.backup_id);
    const upload = form(file);
    const boundary = upload.headers["content-type"].split("boundary=")[1];
    const both = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="backup_id"\r\n\r\n${mine.backup_id}\r\n`),
      upload.rawBody,
    ]);
    const twice = await call("POST", `${S}/restore`, { token: acme.token, rawBody: both, headers: upload.headers });
    expect(twice.status).toBe(400);
    expect(twice.text).toContain("not both");
  });
});
