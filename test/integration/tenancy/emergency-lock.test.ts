/**
 * The emergency lock routes of the gateway spec ("Lock System", "Unlock System") and the admin PIN
 * that unlocks (beyond spec), against DynamoDB Local and the local IoT Core: one gateway of the
 * locked tenant has its own SSH override turned on, and must be switched off (and back on) too.
 *
 * Unlock is rate-limited 5 a minute per tenant (auth-strict): each tenant here makes at most five
 * unlock attempts that pass validation and permission checks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

// The local IoT Core's address must be set before anything reads the configuration.
const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call, freshIp, newTenant } = await import("#test/helpers/api.ts");
const { getSshSettings } = await import("#shared/fleet/ssh.ts");
const { readAudit } = await import("#shared/audit/db/trail.ts");
const { tenantKeys } = await import("#shared/tenancy/db/tenants.ts");
const { lockPinKey } = await import("#shared/tenancy/db/system-lock.ts");
const { getItem, updateVersioned } = await import("#shared/table/repo.ts");
const { readOutbox } = await import("#shared/tenancy/db/outbox.ts");
const { base32Decode, totp } = await import("#shared/identity/totp.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const BASE = "/cloud-integration/security";
const started = new Date(Date.now() - 60_000);

let acme: Tenant;
let globex: Tenant;
let beta: Tenant;
let viewer: { username: string; password: string; token: string };
let adminSecond: string;
let apiKey: string;
let emergencyCode: string;
let lockId: string;
let gateway: { id: number; thing: string };

const sshDesired = (thing: string) => {
  const got = iot.shadows.get(thing, "ssh");
  if (got.kind !== "accepted") throw new Error("no ssh shadow");
  return got.document.state.desired ?? {};
};

async function login(username: string, password: string): Promise<string> {
  const res = await call("POST", "/api/v1/auth/token", { body: { username, password }, ip: freshIp() });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.body.access_token as string;
}

async function relaxAdmin2fa(t: Tenant) {
  // The default policy enforces 2FA for admins: a fresh sign-in of an admin without 2FA would get a
  // token restricted to 2FA enrolment (see the "2FA interplay" test below).
  const res = await call("POST", `${BASE}/authentication/update`, {
    token: t.token,
    body: { two_factor: { enforced_for_roles: [] } },
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  [acme, globex, beta] = await Promise.all([newTenant("lock-acme"), newTenant("lock-globex"), newTenant("lock-beta")]);
  await relaxAdmin2fa(acme);
  const username = `viewer-${acme.tenantId}`.slice(0, 40);
  const password = "Secure-Passw0rd!x";
  const reg = await call("POST", "/api/v1/auth/register", {
    token: acme.token,
    body: { email: `${username}@example.com`, username, password, role: "viewer" },
  });
  expect(reg.status).toBe(201);
  const [viewerToken, second] = await Promise.all([login(username, password), login(acme.username, acme.password)]);
  viewer = { username, password, token: viewerToken };
  adminSecond = second;
  const key = await call("POST", `${BASE}/api-keys/generate`, {
    token: acme.token,
    body: { name: "ops script", scope: ["security:read"] },
  });
  expect(key.status).toBe(201);
  apiKey = key.body.api_key.full_key;
  const gw = await call("POST", `${BASE}/gateways`, { token: acme.token, body: { name: "Lock edge" } });
  expect(gw.status, gw.text).toBe(201);
  gateway = { id: gw.body.gateway.id, thing: gw.body.gateway.thing_name };
  const override = await call("POST", `${BASE}/ssh/update`, {
    token: acme.token,
    body: { gateway_id: gateway.id, enabled: true },
  });
  expect(override.status).toBe(200);
});

afterAll(async () => {
  await iot.stop();
});

describe("POST /lock/pin (beyond spec)", () => {
  it("sets the PIN; replacing it needs the current PIN", async () => {
    expect((await call("POST", `${BASE}/lock/pin`, { body: { pin: "7392" } })).status).toBe(401);
    expect((await call("POST", `${BASE}/lock/pin`, { token: viewer.token, body: { pin: "7392" } })).status).toBe(403);
    const bad = await call("POST", `${BASE}/lock/pin`, { token: acme.token, body: { pin: "12ab" } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("pin");
    const set = await call("POST", `${BASE}/lock/pin`, { token: acme.token, body: { pin: "1234" } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ status: "set", message: "Emergency PIN set" });
    const stored = await getItem(lockPinKey(acme.tenantId), true);
    expect(String(stored?.pinHash)).toMatch(/^scrypt\$/);
    expect(JSON.stringify(stored)).not.toContain("1234");

    const missing = await call("POST", `${BASE}/lock/pin`, { token: acme.token, body: { pin: "7392" } });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("current_pin");
    const wrong = await call("POST", `${BASE}/lock/pin`, {
      token: acme.token,
      body: { pin: "7392", current_pin: "9999" },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain("current_pin");
    const changed = await call("POST", `${BASE}/lock/pin`, {
      token: acme.token,
      body: { pin: "7392", current_pin: "1234" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.message).toBe("Emergency PIN changed");
  });
});

describe("POST /lock", () => {
  it("refuses bad input naming the field, anonymous callers and a viewer", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ duration_minutes: 30 }, "reason"],
      [{ reason: "x", duration_minutes: 0 }, "duration_minutes"],
      [{ reason: "x", duration_minutes: 1441 }, "duration_minutes"],
      [{ reason: "x", lock_users: "yes" }, "lock_users"],
      [{ reason: "x", emergency_contact: "not-an-email" }, "emergency_contact"],
      [{ reason: "x", force: true }, "force"],
      [{ reason: "x", lock_users: false, lock_api: false, lock_ssh: false }, "lock_users"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", `${BASE}/lock`, { token: acme.token, body });
      expect(res.status, field).toBe(400);
      expect(res.text, field).toContain(field);
    }
    expect((await call("POST", `${BASE}/lock`, { body: { reason: "x" } })).status).toBe(401);
    expect((await call("POST", `${BASE}/lock`, { token: viewer.token, body: { reason: "x" } })).status).toBe(403);
  });

  it("answers the spec example, ends every session of the tenant and switches SSH off", async () => {
    expect((await getSshSettings(acme.tenantId)).enabled).toBe(true);
    const res = await call("POST", `${BASE}/lock`, {
      token: acme.token,
      body: {
        reason: "Security breach detected",
        duration_minutes: 30,
        lock_users: true,
        lock_api: true,
        lock_ssh: true,
        notify_users: true,
        emergency_contact: "security@example.com",
      },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      [
        "status",
        "lock_id",
        "locked_until",
        "components_locked",
        "active_sessions_terminated",
        "message",
        "emergency_access_code",
      ].sort(),
    );
    expect(res.body.status).toBe("locked");
    expect(res.body.lock_id).toMatch(/^LOCK-\d{3,}$/);
    expect(res.body.locked_until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const minutes = (Date.parse(res.body.locked_until) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
    expect(res.body.components_locked).toEqual(["users", "api", "ssh"]);
    // The admin's signup session, the admin's second sign-in and the viewer's sign-in.
    expect(res.body.active_sessions_terminated).toBe(3);
    expect(res.body.message).toBe("System locked. All users will be logged out.");
    expect(res.body.emergency_access_code).toMatch(/^EMG-\d{6,}$/);
    emergencyCode = res.body.emergency_access_code;
    lockId = res.body.lock_id;

    // The code is stored only as a hash, with the SSH state to restore.
    const tenant = await getItem(tenantKeys.tenant(acme.tenantId), true);
    expect(JSON.stringify(tenant)).not.toContain(emergencyCode);
    expect(tenant?.lock).toMatchObject({
      lockId,
      sshWasEnabled: true,
      sshGatewaysWereEnabled: [gateway.id],
      lockedBy: acme.username,
    });
    expect((await getSshSettings(acme.tenantId)).enabled).toBe(false);
    // The gateway whose own override turned SSH on is switched off as well, down to its shadow.
    expect((await getSshSettings(acme.tenantId, gateway.id)).enabled).toBe(false);
    expect(sshDesired(gateway.thing).enabled).toBe(false);

    // Users and the emergency contact were told; the code is in no message.
    const mail = (await readOutbox(acme.tenantId)).filter((m) => m.kind === "system_locked");
    expect(mail.map((m) => m.to).sort()).toEqual(
      [`${acme.username}@example.com`, `${viewer.username}@example.com`, "security@example.com"].sort(),
    );
    expect(mail.every((m) => m.body.includes("Security breach detected") && !m.body.includes(emergencyCode))).toBe(
      true,
    );
  });

  it("locks the tenant out: ended sessions get 401, fresh sign-ins and API keys 423; other tenants work", async () => {
    // Ended sessions are revoked tokens: authentication refuses them (401) before the lock is consulted.
    for (const token of [acme.token, adminSecond, viewer.token]) {
      const res = await call("GET", `${BASE}/users`, { token });
      expect(res.status).toBe(401);
    }
    // Signing in still works, but the new token reaches only routes that stay open during a lock.
    const fresh = await login(viewer.username, viewer.password);
    const locked = await call("GET", `${BASE}/users`, { token: fresh });
    expect(locked.status).toBe(423);
    expect(locked.body.error).toBe("SYSTEM_LOCKED");
    expect((await call("GET", "/api/v1/auth/me", { apiKey })).status).toBe(423);
    expect((await call("GET", `${BASE}/users`, { token: globex.token })).status).toBe(200);
    expect((await getSshSettings(globex.tenantId)).enabled).toBe(true);
  });
});

describe("POST /unlock", () => {
  it("refuses bad input naming the field, anonymous callers and a viewer", async () => {
    for (const [body, field] of [
      [{}, "admin_pin"],
      [{ admin_pin: "12" }, "admin_pin"],
      [{ admin_pin: 7392 }, "admin_pin"],
      [{ admin_pin: "7392", emergency_code: "123456" }, "emergency_code"],
      [{ admin_pin: "7392", force: true }, "force"],
    ] as const) {
      const res = await call("POST", `${BASE}/unlock`, { token: beta.token, body });
      expect(res.status, field).toBe(400);
      expect(res.text, field).toContain(field);
    }
    expect((await call("POST", `${BASE}/unlock`, { body: { admin_pin: "7392" } })).status).toBe(401);
    const viewerNow = await login(viewer.username, viewer.password);
    const denied = await call("POST", `${BASE}/unlock`, { token: viewerNow, body: { admin_pin: "7392" } });
    expect(denied.status).toBe(403);
  });

  it("refuses a wrong PIN and a wrong code naming the field; the emergency code unlocks and SSH comes back", async () => {
    // The admin's sessions were ended by the lock: sign in again (allowed during a lock).
    const admin = await login(acme.username, acme.password);
    const wrongPin = await call("POST", `${BASE}/unlock`, { token: admin, body: { admin_pin: "1111" } });
    expect(wrongPin.status).toBe(403);
    expect(wrongPin.text).toContain("admin_pin");
    const wrongCode = await call("POST", `${BASE}/unlock`, {
      token: admin,
      body: { admin_pin: "1111", emergency_code: "EMG-000000" },
    });
    expect(wrongCode.status).toBe(403);
    expect(wrongCode.text).toContain("emergency_code");

    // Spec example: admin_pin (wrong here) plus the lock's emergency code (the break-glass path).
    const res = await call("POST", `${BASE}/unlock`, {
      token: admin,
      body: { admin_pin: "1111", emergency_code: emergencyCode },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ["status", "unlocked_by", "unlocked_at", "lock_duration", "message", "post_unlock_scan_scheduled"].sort(),
    );
    expect(res.body).toMatchObject({
      status: "unlocked",
      unlocked_by: acme.username,
      // The platform with the local IoT Core runs workflows (usePlatformWithLocalIot installs a
      // local runner), so the unlock really starts the post-unlock scan.
      post_unlock_scan_scheduled: true,
    });
    expect(res.body.unlocked_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(res.body.lock_duration).toMatch(/^00:0\d:\d\d$/);
    expect(res.body.message).toContain("System unlocked successfully");

    expect((await call("GET", `${BASE}/users`, { token: admin })).status).toBe(200);
    expect((await call("GET", "/api/v1/auth/me", { apiKey })).status).toBe(200);
    const ssh = await call("GET", `${BASE}/ssh/settings`, { token: admin });
    expect(ssh.status).toBe(200);
    expect(ssh.body.enabled).toBe(true);
    expect((await getSshSettings(acme.tenantId, gateway.id)).enabled).toBe(true);
    expect(sshDesired(gateway.thing).enabled).toBe(true);
    expect(res.body.message).toContain("SSH re-enabled");
    const tenant = await getItem(tenantKeys.tenant(acme.tenantId), true);
    expect(tenant?.lock).toBeUndefined();
  });

  it("unlocks with the admin PIN; a lock without users leaves sessions alone", async () => {
    const admin = await login(acme.username, acme.password);
    const lock = await call("POST", `${BASE}/lock`, {
      token: admin,
      body: { reason: "drill", duration_minutes: 5, lock_users: false, lock_ssh: false },
    });
    expect(lock.status).toBe(200);
    expect(lock.body).toMatchObject({ components_locked: ["api"], active_sessions_terminated: 0 });
    expect(lock.body.lock_id).not.toBe(lockId);
    const res = await call("POST", `${BASE}/unlock`, { token: admin, body: { admin_pin: "7392" } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("unlocked");
  });

  it("records both events, failed attempts included, in the audit trail", async () => {
    // Oldest first (readAudit answers newest first; ids sort by the time they were written).
    const records = (await readAudit(acme.tenantId, started, new Date(Date.now() + 60_000))).sort((a, b) =>
      a.id.localeCompare(b.id),
    );
    const byAdmin = records.filter((r) => r.user === acme.username);
    const locked = byAdmin.filter((r) => r.event_type === "system_locked");
    expect(locked.map((r) => [r.event, r.status])).toEqual([
      ["System Locked", "success"],
      ["System Locked", "success"],
    ]);
    expect(locked[0]?.details).toMatchObject({ lock_id: lockId, active_sessions_terminated: 3 });
    // The viewer's refused attempts are on record too, as refusals: nothing was locked or unlocked.
    const byViewer = records.filter((r) => r.user === viewer.username && r.resource.endsWith("lock"));
    expect(byViewer.map((r) => [r.event_type, r.status, r.details.attempted])).toEqual([
      ["access_denied", "failed", "system_locked"],
      ["access_denied", "failed", "system_unlocked"],
    ]);
    const unlocked = byAdmin.filter((r) => r.event_type === "system_unlocked");
    expect(unlocked.map((r) => [r.event, r.status, r.details.failed_field ?? r.details.method])).toEqual([
      ["System Unlocked", "failed", "admin_pin"],
      ["System Unlocked", "failed", "emergency_code"],
      ["System Unlocked", "success", "emergency_code"],
      ["System Unlocked", "success", "admin_pin"],
    ]);
    expect(byAdmin.filter((r) => r.event_type === "emergency_pin_set").map((r) => r.status)).toEqual([
      "success",
      "failed",
      "success",
    ]);
  });
});

describe("lock without the users component, double lock, expired lock", () => {
  it("409s a second lock naming the active lock; an expired lock still unlocks and restores SSH", async () => {
    const notLocked = await call("POST", `${BASE}/unlock`, { token: globex.token, body: { admin_pin: "0000" } });
    expect(notLocked.status).toBe(409);
    expect(notLocked.text).toContain("not locked");
    const first = await call("POST", `${BASE}/lock`, {
      token: globex.token,
      body: { reason: "api key leak", lock_users: false },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      components_locked: ["api", "ssh"],
      active_sessions_terminated: 0,
      message: "System locked.",
    });
    const second = await call("POST", `${BASE}/lock`, { token: globex.token, body: { reason: "again" } });
    expect(second.status).toBe(409);
    expect(second.text).toContain(first.body.lock_id);
    const ssh = await call("GET", `${BASE}/ssh/settings`, { token: globex.token });
    expect(ssh.body.enabled).toBe(false);

    // Let the lock run out: the kit ignores it, but SSH stays off until someone unlocks.
    const item = await getItem(tenantKeys.tenant(globex.tenantId), true);
    const lock = item?.lock as Record<string, unknown>;
    await updateVersioned(tenantKeys.tenant(globex.tenantId), Number(item?.version), {
      lock: { ...lock, until: new Date(Date.now() - 1000).toISOString() },
    });
    // No PIN set: the emergency code is the only way.
    const noPin = await call("POST", `${BASE}/unlock`, { token: globex.token, body: { admin_pin: "0000" } });
    expect(noPin.status).toBe(403);
    expect(noPin.text).toContain("admin_pin");
    const res = await call("POST", `${BASE}/unlock`, {
      token: globex.token,
      body: { admin_pin: "0000", emergency_code: first.body.emergency_access_code },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("unlocked");
    expect((await call("GET", `${BASE}/ssh/settings`, { token: globex.token })).body.enabled).toBe(true);
  });

  it("2FA interplay: an admin without 2FA in a tenant enforcing it enrols during the lock, then unlocks", async () => {
    const lock = await call("POST", `${BASE}/lock`, {
      token: beta.token,
      body: { reason: "drill", duration_minutes: 1, lock_ssh: false, lock_api: false },
    });
    expect(lock.status).toBe(200);
    const res = await call("POST", "/api/v1/auth/token", {
      body: { username: beta.username, password: beta.password },
      ip: freshIp(),
    });
    expect(res.status).toBe(200);
    const restricted = res.body.access_token as string;
    // The fresh token is restricted to 2FA enrolment: unlock refuses it, enrolment stays open.
    const early = await call("POST", `${BASE}/unlock`, {
      token: restricted,
      body: { admin_pin: "0000", emergency_code: lock.body.emergency_access_code },
    });
    expect(early.status).toBe(403);
    expect(early.text).toContain("two-factor enrollment required");
    const enrol = await call("POST", `${BASE}/users/2fa/enroll`, { token: restricted, body: {} });
    expect(enrol.status).toBe(200);
    const secret = base32Decode(enrol.body.secret);
    const step = Math.floor(Date.now() / 30_000);
    const verify = await call("POST", `${BASE}/users/2fa/verify`, {
      token: restricted,
      body: { code: totp(secret, step * 30_000 + 1) },
    });
    expect(verify.status).toBe(200);
    const first = await call("POST", "/api/auth/login", {
      body: { username: beta.username, password: beta.password },
      ip: freshIp(),
    });
    expect(first.body.data.two_factor_required).toBe(true);
    const full = await call("POST", "/api/auth/login/2fa", {
      body: { challenge_token: first.body.data.challenge_token, code: totp(secret, (step + 1) * 30_000 + 1) },
      ip: freshIp(),
    });
    expect(full.status).toBe(200);
    const unlock = await call("POST", `${BASE}/unlock`, {
      token: full.body.data.token,
      body: { admin_pin: "0000", emergency_code: lock.body.emergency_access_code },
    });
    expect(unlock.status).toBe(200);
    expect(unlock.body.status).toBe("unlocked");
  });
});
