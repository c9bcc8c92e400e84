/**
 * Brute-force defence on every login route: the per-account lockout (one counter whatever the
 * spelling of the login name, lifting by itself), the per-address block, and credential stuffing
 * (many accounts from one address) — each trip audited in the targeted tenants' trails.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { readAudit } from "#shared/audit/db/trail.ts";
import { ipFailKey } from "#shared/identity/db/ip-failures.ts";
import { userKeys } from "#shared/identity/db/users.ts";
import { db, tableName } from "#shared/table/client.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const PW = "Sturdy#Harbor-2041";
const GENERIC = "Invalid username or password";

let acme: Tenant;

async function addUser(t: Tenant, username: string) {
  const res = await call("POST", "/cloud-integration/security/users/create", {
    token: t.token,
    body: { username, email: `${username}@bf.test`, password: PW },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.body.user_id as number;
}

async function setPolicy(t: Tenant, body: Record<string, unknown>) {
  const res = await call("POST", "/cloud-integration/security/authentication/update", { token: t.token, body });
  if (res.status !== 200) throw new Error(`policy update failed: ${res.status} ${res.text}`);
}

const login = (username: string, password: string, ip: string) =>
  call("POST", "/api/auth/login", { body: { username, password }, ip });

const userItem = async (t: Tenant, id: number) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: userKeys.user(t.tenantId, id), ConsistentRead: true })))
    .Item;

const trail = async (t: Tenant, type: string) =>
  (await readAudit(t.tenantId, new Date(Date.now() - 120_000), new Date())).filter((r) => r.event_type === type);

beforeAll(async () => {
  acme = await newTenant("bruteforce");
});

describe("per-account lockout", () => {
  it("counts username case variants and the email on one counter, and a success resets it", async () => {
    const id = await addUser(acme, "Case.User");
    for (const name of ["case.user", "CASE.USER", "Case.User@BF.test"]) {
      expect((await login(name, "wrong-password", freshIp())).status).toBe(401);
    }
    expect(await userItem(acme, id)).toMatchObject({ failedAttempts: 3 });
    expect((await login("case.USER", PW, freshIp())).status).toBe(200);
    expect(await userItem(acme, id)).toMatchObject({ failedAttempts: 0, failedWindowStart: null });
    for (const name of ["case.user", "CASE.USER", "Case.User@BF.test", "case.user@bf.test", "Case.User"]) {
      await login(name, "wrong-password", freshIp());
    }
    expect(await userItem(acme, id)).toMatchObject({ status: "locked", failedAttempts: 5 });
    const locked = await login("case.user", PW, freshIp());
    expect(locked.status).toBe(401);
    expect(locked.body.error.message).toBe(GENERIC);
  });

  it("lifts a lock by itself once lockout_duration has passed", async () => {
    const id = await addUser(acme, "lifted-user");
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: userKeys.user(acme.tenantId, id),
        UpdateExpression: "SET #s = :locked, lockedUntil = :past, failedAttempts = :five, lockReason = :why",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: {
          ":locked": "locked",
          ":past": new Date(Date.now() - 1000).toISOString(),
          ":five": 5,
          ":why": "Too many failed login attempts",
        },
      }),
    );
    const res = await login("lifted-user", PW, freshIp());
    expect(res.status).toBe(200);
    expect(await userItem(acme, id)).toMatchObject({ status: "active", lockedUntil: null, failedAttempts: 0 });
  });
});

describe("per-address block (brute_force_protection)", () => {
  it("blocks an address after max_attempts_per_ip failures, on every login route, with the generic answer", async () => {
    const t = await newTenant("bf-ip");
    await setPolicy(t, { brute_force_protection: { max_attempts_per_ip: 3, window_minutes: 10, block_duration: 5 } });
    await addUser(t, "ip-target");
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await login("ip-target", `wrong-${i}`, ip)).status).toBe(401);

    const blocked = await login("ip-target", PW, ip);
    expect(blocked.status).toBe(401);
    expect(blocked.body.error).toEqual((await login("nobody-at-all", "x", ip)).body.error);
    const token = await call("POST", "/api/v1/auth/token", { body: { username: "ip-target", password: PW }, ip });
    expect(token.status).toBe(401);
    expect(token.body).toEqual({ detail: GENERIC });
    // The account itself is fine: from another address it signs in.
    expect((await login("ip-target", PW, freshIp())).status).toBe(200);

    const trips = await trail(t, "brute_force_ip_blocked");
    expect(trips).toHaveLength(1);
    expect(trips[0]).toMatchObject({
      event_type: "brute_force_ip_blocked",
      severity: "high",
      details: { ip, attempts: 3, window_minutes: 10, block_minutes: 5 },
    });
    const refused = (await trail(t, "login_failed")).filter((r) => r.details.reason === "ip_blocked");
    expect(refused.length).toBeGreaterThanOrEqual(2);
  });
});

describe("credential stuffing", () => {
  it("blocks an address failing on many distinct accounts and alerts every targeted tenant", async () => {
    const [t1, t2] = await Promise.all([newTenant("stuff-a"), newTenant("stuff-b")]);
    await setPolicy(t1, { account_protection: { ip_blacklist_threshold: 3 } });
    await Promise.all([addUser(t1, "stuff-a1"), addUser(t1, "stuff-a2"), addUser(t2, "stuff-b1")]);
    const ip = freshIp();
    expect((await login("stuff-b1", "Summer2026!", ip)).status).toBe(401);
    expect((await login("stuff-a1", "Summer2026!", ip)).status).toBe(401);
    expect((await login("stuff-a2", "Summer2026!", ip)).status).toBe(401);
    // Blocked now, even with the right password of an account it never tried.
    expect((await login("stuff-b1", PW, ip)).status).toBe(401);
    expect((await login("stuff-b1", PW, freshIp())).status).toBe(200);

    for (const t of [t1, t2]) {
      const alerts = await trail(t, "credential_stuffing");
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ severity: "high", details: { ip, distinct_accounts: 3 } });
    }
  });

  it("blocks an address that only tries unknown names too, though no tenant trail can record it", async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await login(`ghost-${i}-${ip}`, "x", ip)).status).toBe(401);
    const item = (await db.send(new GetCommand({ TableName: tableName, Key: ipFailKey(ip), ConsistentRead: true })))
      .Item;
    expect(Number(item?.blockedUntil)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect(item?.tenants).toBeUndefined();
  });
});
