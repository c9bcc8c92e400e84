/**
 * Gateway "Identity & Access Management" user routes through the endpoint kit and DynamoDB Local:
 * each spec example with every field, bad input, 401/403, tenant isolation, and the rules behind
 * them (token revocation, forced password change, last admin, no acting above one's permissions).
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_ROLES, DEFAULT_ROLE } from "#shared/auth/permissions.ts";
import { userKeys } from "#shared/identity/db/users.ts";
import { db, dbCalls, resetDbCalls, tableName } from "#shared/table/client.ts";
import { readOutbox } from "#shared/tenancy/db/outbox.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const U = "/cloud-integration/security/users";
const PW = "Sturdy#Harbor-2041";

let acme: Tenant;
let globex: Tenant;
/** A tenant with only its admin (user 1): another tenant's user 2 does not exist here. */
let tiny: Tenant;
let globexUserId: number;
let viewerToken: string;
/** A tenant for the deletion tests. */
let del: Tenant;

type Created = { id: number; username: string; email: string };
/** Users the tests below act on, created up front and in parallel (each costs a password hash). */
const fx: Record<string, Created> = {};
const FIXTURES: [string, "acme" | "del", Record<string, unknown>][] = [
  [
    "ops01",
    "acme",
    {
      full_name: "Operations User 01",
      email: "ops01@example.com",
      role: "operator",
      permissions: ["device:read", "device:write", "config:read"],
    },
  ],
  ["lock-filter-a", "acme", { email: "lfa@acme.test" }],
  ["lock-filter-b", "acme", { email: "lfb@acme.test" }],
  [
    "ops02",
    "acme",
    {
      full_name: "Operations User",
      email: "ops02@example.com",
      role: "operator",
      permissions: ["device:read", "device:write", "config:read"],
    },
  ],
  ["detail1", "acme", { full_name: "Detail One", email: "detail1@acme.test", role: "engineer" }],
  ["reset1", "acme", { email: "reset1@acme.test" }],
  ["reset2", "acme", { email: "reset2@acme.test" }],
  ["user04", "acme", { email: "user04@acme.test" }],
  ["user05", "acme", { email: "user05@acme.test" }],
  ["changer", "acme", { email: "changer@acme.test" }],
  ["leaver", "del", { full_name: "Leaving User", email: "leaver@acme.test", role: "engineer" }],
  ["stayer", "del", { email: "stayer@acme.test" }],
  ["no-heir", "del", { email: "no-heir@acme.test" }],
];

async function createUser(t: Tenant, body: Record<string, unknown>) {
  const res = await call("POST", `${U}/create`, { token: t.token, body: { password: PW, ...body } });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.body.user as { id: number; username: string; email: string };
}

async function signIn(username: string, password = PW) {
  const res = await call("POST", "/api/auth/login", { body: { username, password }, ip: freshIp() });
  return res;
}

async function userItem(t: Tenant, id: number) {
  return (
    await db.send(new GetCommand({ TableName: tableName, Key: userKeys.user(t.tenantId, id), ConsistentRead: true }))
  ).Item;
}

beforeAll(async () => {
  [acme, globex, tiny, del] = await Promise.all([
    newTenant("users"),
    newTenant("users-other"),
    newTenant("users-tiny"),
    newTenant("users-delete"),
  ]);
  const viewer = async () => {
    const reg = await call("POST", "/api/v1/auth/register", {
      token: acme.token,
      body: { email: "viewer@acme.test", username: "acme-viewer", password: PW },
    });
    expect(reg.status).toBe(201);
    viewerToken = (await signIn("acme-viewer")).body.data.token;
  };
  const [globexUser] = await Promise.all([
    createUser(globex, { username: "globex-user", email: "gu@globex.test" }),
    viewer(),
    ...FIXTURES.map(async ([username, where, body]) => {
      fx[username] = await createUser(where === "acme" ? acme : del, { username, ...body });
    }),
  ]);
  globexUserId = globexUser.id;
});

const user = (name: string): Created => {
  const u = fx[name];
  if (!u) throw new Error(`no fixture user ${name}`);
  return u;
};

describe("POST /users/create", () => {
  it("creates the spec example's user with every field, sends the welcome mail, forces a password change", async () => {
    const res = await call("POST", `${U}/create`, {
      token: acme.token,
      body: {
        username: "tech02",
        full_name: "Technician 02",
        email: "tech02@example.com",
        role: "technician",
        password: "SecurePass123!",
        two_factor_enabled: true,
        permissions: ["device:read", "device:maintenance", "alerts:read"],
        send_welcome_email: true,
        force_password_change: true,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: "created",
      user_id: expect.any(Number),
      user: {
        id: res.body.user_id,
        username: "tech02",
        full_name: "Technician 02",
        email: "tech02@example.com",
        role: "technician",
        status: "active",
        created_at: expect.any(String),
        permissions: ["device:read", "device:maintenance", "alerts:read"],
      },
      message: "User created successfully",
      welcome_email_sent: true,
    });
    expect(res.body).not.toHaveProperty("temporary_password");
    const mail = (await readOutbox(acme.tenantId)).find((m) => m.to === "tech02@example.com");
    expect(mail).toMatchObject({ kind: "welcome", channel: "email" });
    expect(mail?.body).not.toContain("SecurePass123!");

    // force_password_change: the sign-in works, but its token is good for the password change only.
    const login = await signIn("tech02", "SecurePass123!");
    expect(login.status).toBe(200);
    expect(login.body.data.restricted_to).toBe("password_change");
    const token = login.body.data.token;
    // Reading one's own identity stays possible (a client learns why it is restricted); nothing else does.
    expect((await call("GET", "/api/auth/me", { token })).status).toBe(200);
    expect((await call("GET", U, { token })).body).toMatchObject({
      error: "AUTHORIZATION_DENIED",
      message: "password change required",
    });

    const changed = await call("POST", `${U}/change-password`, {
      token,
      body: { current_password: "SecurePass123!", new_password: "Fresh-Lantern-88" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ status: "changed", message: expect.any(String), sessions_terminated: 1 });
    expect((await call("GET", "/api/auth/me", { token })).status).toBe(401);

    // The password is changed; 2FA is on for this account and no factor is enrolled: enrolment next.
    const again = await signIn("tech02", "Fresh-Lantern-88");
    expect(again.body.data.restricted_to).toBe("two_factor_enrollment");
    expect((await signIn("tech02", "SecurePass123!")).status).toBe(401);
  });

  it("generates a temporary password when none is given, returns it once, and forces its change", async () => {
    const res = await call("POST", `${U}/create`, {
      token: acme.token,
      body: { username: "temp-user", email: "temp@acme.test", role: "viewer" },
    });
    expect(res.status).toBe(201);
    expect(res.body.temporary_password).toMatch(/^.{20,}$/);
    expect(res.body.welcome_email_sent).toBe(false);
    const login = await signIn("temp-user", res.body.temporary_password);
    expect(login.body.data.restricted_to).toBe("password_change");
  });

  it("refuses bad input with 400 naming the field, and a taken username with 409", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ username: "weak1", email: "w1@acme.test", password: "password" }, "body.password"],
      [{ username: "weak2", email: "w2@acme.test", role: "superuser" }, "body.role"],
      [{ username: "weak3", email: "not-an-email" }, "body.email"],
      [{ username: "weak4", email: "w4@acme.test", tenant_id: globex.tenantId }, "body.tenant_id"],
      [{ username: "weak5", email: "w5@acme.test", permissions: ["Not A Permission"] }, "body.permissions.0"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", `${U}/create`, { token: acme.token, body: { password: PW, ...body } });
      expect(res.status, field).toBe(400);
      expect(res.body.error).toBe("VALIDATION_ERROR");
      expect(res.body.message).toContain(field);
    }
    const dup = await call("POST", `${U}/create`, {
      token: acme.token,
      body: { username: "tech02", email: "x@acme.test", password: PW },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toContain("username");
  });

  it("answers 401 without a token and 403 to a viewer", async () => {
    expect((await call("POST", `${U}/create`, { body: { username: "nobody1", email: "n1@a.test" } })).status).toBe(401);
    const denied = await call("POST", `${U}/create`, {
      token: viewerToken,
      body: { username: "nobody1", email: "n1@a.test" },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("users:write");
  });
});

describe("GET /users", () => {
  it("lists every user with every field of the spec example, and live totals", async () => {
    const ops = user("ops01");
    await signIn("ops01");
    const res = await call("GET", U, { token: acme.token });
    expect(res.status).toBe(200);
    const admin = res.body.users.find((u: { id: number }) => u.id === acme.userId);
    expect(admin).toEqual({
      id: acme.userId,
      username: acme.username,
      full_name: "",
      email: `${acme.username}@example.com`,
      role: "admin",
      status: "active",
      last_login: null,
      login_count: 0,
      two_factor_enabled: false,
      created_at: expect.any(String),
      avatar_color: expect.any(String),
      permissions: ["*"],
      enterprises: [],
      session_count: 1,
    });
    expect(res.body.users.find((u: { id: number }) => u.id === ops.id)).toMatchObject({
      username: "ops01",
      full_name: "Operations User 01",
      role: "operator",
      status: "active",
      last_login: expect.any(String),
      login_count: 1,
      permissions: ["device:read", "device:write", "config:read"],
      session_count: 1,
    });
    const roles: Record<string, number> = {};
    for (const u of res.body.users) roles[u.role] = (roles[u.role] ?? 0) + 1;
    expect(res.body.total).toBe(res.body.users.length);
    expect(res.body.active).toBe(res.body.users.filter((u: { status: string }) => u.status === "active").length);
    expect(res.body.roles_summary).toEqual(roles);
  });

  it("filters by status (a lock whose time has passed is active) and role, and applies limit after counting", async () => {
    const a = user("lock-filter-a");
    const b = user("lock-filter-b");
    expect(
      (await call("POST", `${U}/lock`, { token: acme.token, body: { user_id: a.id, action: "lock" } })).status,
    ).toBe(200);
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: userKeys.user(acme.tenantId, b.id),
        UpdateExpression: "SET #s = :l, lockedUntil = :past",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":l": "locked", ":past": new Date(Date.now() - 60_000).toISOString() },
      }),
    );
    const locked = await call("GET", U, { token: acme.token, query: { status: "locked" } });
    expect(locked.body.users.map((u: { username: string }) => u.username)).toEqual(["lock-filter-a"]);
    expect(locked.body.total).toBe(1);
    const active = await call("GET", U, { token: acme.token, query: { status: "active" } });
    expect(active.body.users.map((u: { username: string }) => u.username)).toContain("lock-filter-b");
    const detail = await call("GET", `${U}/${b.id}`, { token: acme.token });
    expect(detail.body.status).toBe("active");

    const viewers = await call("GET", U, { token: acme.token, query: { role: "viewer", limit: "1" } });
    expect(viewers.body.users).toHaveLength(1);
    expect(viewers.body.total).toBeGreaterThan(1);
    expect(viewers.body.users[0].role).toBe("viewer");
  });

  it("refuses a limit over 200 and an unknown status, naming the parameter", async () => {
    const over = await call("GET", U, { token: acme.token, query: { limit: "201" } });
    expect(over.status).toBe(400);
    expect(over.body.message).toContain("query.limit");
    expect((await call("GET", U, { token: acme.token, query: { limit: "ten" } })).body.message).toContain(
      "query.limit",
    );
    expect((await call("GET", U, { token: acme.token, query: { status: "asleep" } })).body.message).toContain(
      "query.status",
    );
  });

  it("answers 401 without a token and 403 to a viewer, and shows only the caller's tenant", async () => {
    expect((await call("GET", U)).status).toBe(401);
    expect((await call("GET", U, { token: viewerToken })).status).toBe(403);
    const other = await call("GET", U, { token: globex.token });
    expect(other.body.users.map((u: { username: string }) => u.username)).toEqual([globex.username, "globex-user"]);
  });

  it("costs 3 DynamoDB calls warm (auth BatchGet, rate-limit update, one Query) and no Scan", async () => {
    await call("GET", U, { token: acme.token });
    resetDbCalls();
    const res = await call("GET", U, { token: acme.token });
    const calls = dbCalls();
    expect(res.status).toBe(200);
    expect(calls.byCommand).toEqual({ BatchGetItemCommand: 1, UpdateItemCommand: 1, QueryCommand: 1 });
    expect(calls.total).toBe(3);
  });
});

describe("POST /users/update", () => {
  it("answers the spec example with old/new changes, and a role change revokes the user's tokens", async () => {
    const ops = user("ops02");
    const token = (await signIn("ops02")).body.data.token;
    expect((await call("GET", "/api/auth/me", { token })).status).toBe(200);

    const res = await call("POST", `${U}/update`, {
      token: acme.token,
      body: {
        user_id: ops.id,
        full_name: "Updated Operations User",
        email: "ops.updated@example.com",
        role: "engineer",
        two_factor_enabled: true,
        permissions: ["device:read", "device:write", "config:read", "config:write", "diagnostics:run"],
        status: "active",
        notes: "Promoted to engineer role",
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "updated",
      user: {
        id: ops.id,
        username: "ops02",
        full_name: "Updated Operations User",
        email: "ops.updated@example.com",
        role: "engineer",
        two_factor_enabled: true,
        permissions: ["device:read", "device:write", "config:read", "config:write", "diagnostics:run"],
      },
      message: "User updated successfully",
      notify_user: true,
    });
    expect(res.body.changes).toEqual({
      full_name: { old: "Operations User", new: "Updated Operations User" },
      email: { old: "ops02@example.com", new: "ops.updated@example.com" },
      role: { old: "operator", new: "engineer" },
      two_factor_enabled: { old: false, new: true },
      permissions: { added: ["config:write", "diagnostics:run"] },
      notes: { old: null, new: "Promoted to engineer role" },
    });
    expect((await call("GET", "/api/auth/me", { token })).status).toBe(401);
    // The old email no longer signs in; the new one does.
    expect((await signIn("ops02@example.com")).status).toBe(401);
    expect((await signIn("ops.updated@example.com")).status).toBe(200);
    const removed = await call("POST", `${U}/update`, {
      token: acme.token,
      body: { user_id: ops.id, permissions: ["device:read"] },
    });
    expect(removed.body.changes).toEqual({
      permissions: { removed: ["device:write", "config:read", "config:write", "diagnostics:run"] },
    });
  });

  it("refuses bad input naming the field, a taken email with 409, and unknown or foreign users with 404", async () => {
    const bad = await call("POST", `${U}/update`, { token: acme.token, body: { user_id: "two" } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("body.user_id");
    expect(
      (await call("POST", `${U}/update`, { token: acme.token, body: { user_id: acme.userId, status: "locked" } })).body
        .message,
    ).toContain("body.status");
    const taken = await call("POST", `${U}/update`, {
      token: acme.token,
      body: { user_id: acme.userId, email: "tech02@example.com" },
    });
    expect(taken.status).toBe(409);
    expect(
      (await call("POST", `${U}/update`, { token: acme.token, body: { user_id: 9999, full_name: "x" } })).status,
    ).toBe(404);
    const foreign = await call("POST", `${U}/update`, {
      token: tiny.token,
      body: { user_id: globexUserId, full_name: "Hijacked" },
    });
    expect(foreign.status).toBe(404);
    expect((await userItem(globex, globexUserId))?.fullName).toBe("");
  });

  it("keeps the last administrator: an admin cannot demote themselves when alone", async () => {
    const res = await call("POST", `${U}/update`, {
      token: globex.token,
      body: { user_id: globex.userId, role: "viewer" },
    });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain("last administrator");
    expect((await userItem(globex, globex.userId))?.role).toBe("admin");
  });

  it("answers 401 without a token and 403 to a viewer", async () => {
    expect((await call("POST", `${U}/update`, { body: { user_id: 1 } })).status).toBe(401);
    expect(
      (await call("POST", `${U}/update`, { token: viewerToken, body: { user_id: acme.userId, role: "viewer" } }))
        .status,
    ).toBe(403);
  });
});

describe("a user manager below admin (custom role with users:write)", () => {
  it("cannot promote anyone to a role or grant a permission they lack, nor manage an admin", async () => {
    const role = await call("POST", "/cloud-integration/security/roles", {
      token: acme.token,
      body: {
        name: "user-manager",
        description: "Manages viewers",
        // users:write and what a viewer (the default role) holds, so it may create viewers — taken
        // from the catalogue, so a permission the viewer gains later does not stop it.
        permissions: ["users:write", ...(BUILT_IN_ROLES[DEFAULT_ROLE]?.permissions ?? [])],
      },
    });
    expect(role.status).toBe(201);
    await createUser(acme, { username: "manager1", email: "manager1@acme.test", role: "user-manager" });
    const token = (await signIn("manager1")).body.data.token;
    const viewer = await call("POST", `${U}/create`, {
      token,
      body: { username: "managed1", email: "managed1@acme.test", password: PW },
    });
    expect(viewer.status).toBe(201);
    const id = viewer.body.user_id;

    const promote = await call("POST", `${U}/update`, { token, body: { user_id: id, role: "admin" } });
    expect(promote.status).toBe(403);
    expect((await call("POST", `${U}/update`, { token, body: { user_id: id, role: "engineer" } })).status).toBe(403);
    expect(
      (
        await call("POST", `${U}/update`, {
          token,
          body: { user_id: id, permissions: ["gateways:read", "security:admin"] },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call("POST", `${U}/create`, {
          token,
          body: { username: "manager2", email: "m2@acme.test", password: PW, role: "admin" },
        })
      ).status,
    ).toBe(403);
    const reset = await call("POST", `${U}/reset-password`, {
      token,
      body: { user_id: acme.userId, new_password: "Hostile-Takeover-77" },
    });
    expect(reset.status).toBe(403);
    expect((await call("POST", `${U}/lock`, { token, body: { user_id: acme.userId, action: "lock" } })).status).toBe(
      403,
    );
    expect((await userItem(acme, id))?.role).toBe("viewer");
  });
});

describe("GET /users/{user_id}", () => {
  it("answers every field of the spec example, with recent activity from the audit trail", async () => {
    const u = user("detail1");
    const ip = freshIp();
    await call("POST", "/api/auth/login", { body: { username: "detail1", password: "wrong" }, ip });
    await call("POST", "/api/auth/login", { body: { username: "detail1", password: PW }, ip });
    const key = await call("POST", "/cloud-integration/security/api-keys/generate", {
      token: acme.token,
      body: { name: "Detail Script", scope: ["gateways:read"], user_id: u.id },
    });
    expect(key.status).toBe(201);
    const res = await call("GET", `${U}/${u.id}`, { token: acme.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: u.id,
      username: "detail1",
      full_name: "Detail One",
      email: "detail1@acme.test",
      role: "engineer",
      status: "active",
      last_login: expect.any(String),
      last_password_change: expect.any(String),
      login_count: 1,
      failed_attempts: 0,
      two_factor_enabled: false,
      two_factor_method: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      permissions: expect.arrayContaining(["gateways:admin", "firewall:write"]),
      enterprises: [],
      avatar_color: expect.any(String),
      session_count: 1,
      api_keys: [
        {
          id: key.body.api_key.id,
          name: "Detail Script",
          scope: ["gateways:read"],
          created: expect.any(String),
          status: "active",
        },
      ],
      ssh_keys: [],
      recent_activity: [
        { timestamp: expect.any(String), action: "login", ip, status: "success" },
        { timestamp: expect.any(String), action: "login_failed", ip, status: "failed" },
      ],
    });
  });

  it("answers 400 naming path.user_id, 404 for unknown and other tenants' users, 401 and 403", async () => {
    const bad = await call("GET", `${U}/abc`, { token: acme.token });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("path.user_id");
    expect((await call("GET", `${U}/9999`, { token: acme.token })).status).toBe(404);
    expect((await call("GET", `${U}/${globexUserId}`, { token: tiny.token })).status).toBe(404);
    expect((await call("GET", `${U}/${acme.userId}`)).status).toBe(401);
    expect((await call("GET", `${U}/${acme.userId}`, { token: viewerToken })).status).toBe(403);
  });
});

describe("POST /users/reset-password", () => {
  it("answers the spec example, ends the user's sessions, forces the change and mails the user", async () => {
    const u = user("reset1");
    const token = (await signIn("reset1")).body.data.token;
    const res = await call("POST", `${U}/reset-password`, {
      token: acme.token,
      body: { user_id: u.id, new_password: "NewSecurePass456!", force_change: true, send_email: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "reset",
      user_id: u.id,
      username: "reset1",
      message: "Password reset successfully",
      email_sent: true,
      requires_change: true,
      sessions_terminated: 1,
    });
    expect((await call("GET", "/api/auth/me", { token })).status).toBe(401);
    expect(
      (await readOutbox(acme.tenantId)).some((m) => m.to === "reset1@acme.test" && m.kind === "password_reset"),
    ).toBe(true);
    const login = await signIn("reset1", "NewSecurePass456!");
    expect(login.body.data.restricted_to).toBe("password_change");
  });

  it("refuses a password from the history and a weak one, naming body.new_password", async () => {
    const u = user("reset2");
    const reused = await call("POST", `${U}/reset-password`, {
      token: acme.token,
      body: { user_id: u.id, new_password: PW },
    });
    expect(reused.status).toBe(400);
    expect(reused.body.message).toContain("body.new_password");
    expect(reused.body.message).toContain("used recently");
    const weak = await call("POST", `${U}/reset-password`, {
      token: acme.token,
      body: { user_id: u.id, new_password: "short" },
    });
    expect(weak.body.message).toContain("body.new_password");
    expect(
      (
        await call("POST", `${U}/reset-password`, {
          token: tiny.token,
          body: { user_id: globexUserId, new_password: "NewSecurePass456!" },
        })
      ).status,
    ).toBe(404);
    expect((await call("POST", `${U}/reset-password`, { body: { user_id: u.id } })).status).toBe(401);
    expect((await call("POST", `${U}/reset-password`, { token: viewerToken, body: { user_id: u.id } })).status).toBe(
      403,
    );
  });
});

describe("POST /users/lock", () => {
  it("locks for the given minutes (ending sessions), answers sign-in like a wrong password, and unlocks", async () => {
    const u = user("user04");
    const token = (await signIn("user04")).body.data.token;
    const res = await call("POST", `${U}/lock`, {
      token: acme.token,
      body: { user_id: u.id, action: "lock", reason: "Multiple failed login attempts", duration_minutes: 60 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "locked",
      user_id: u.id,
      username: "user04",
      message: "User account locked: Multiple failed login attempts",
      notified: true,
    });
    expect(new Date(res.body.locked_until).getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect((await call("GET", "/api/auth/me", { token })).status).toBe(401);
    const refused = await signIn("user04");
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe("Invalid username or password");

    const unlock = await call("POST", `${U}/lock`, { token: acme.token, body: { user_id: u.id, action: "unlock" } });
    expect(unlock.body).toMatchObject({ status: "unlocked", locked_until: null, notified: true });
    expect((await signIn("user04")).status).toBe(200);
  });

  it("locks without an end until unlocked, refuses locking yourself (409) and bad input (400)", async () => {
    const u = user("user05");
    const res = await call("POST", `${U}/lock`, { token: acme.token, body: { user_id: u.id, action: "lock" } });
    expect(res.body.locked_until).toBeNull();
    expect((await userItem(acme, u.id))?.status).toBe("locked");
    expect(
      (await call("POST", `${U}/lock`, { token: acme.token, body: { user_id: acme.userId, action: "lock" } })).status,
    ).toBe(409);
    const bad = await call("POST", `${U}/lock`, { token: acme.token, body: { user_id: u.id, action: "freeze" } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("body.action");
    const zero = await call("POST", `${U}/lock`, {
      token: acme.token,
      body: { user_id: u.id, action: "lock", duration_minutes: 0 },
    });
    expect(zero.body.message).toContain("body.duration_minutes");
    expect(
      (await call("POST", `${U}/lock`, { token: tiny.token, body: { user_id: globexUserId, action: "lock" } })).status,
    ).toBe(404);
    expect((await userItem(globex, globexUserId))?.status).toBe("active");
    expect((await call("POST", `${U}/lock`, { body: { user_id: u.id, action: "lock" } })).status).toBe(401);
    expect(
      (await call("POST", `${U}/lock`, { token: viewerToken, body: { user_id: u.id, action: "lock" } })).status,
    ).toBe(403);
  });
});

describe("POST /users/change-password", () => {
  it("counts a wrong current password against the account and names the field", async () => {
    const u = user("changer");
    const token = (await signIn("changer")).body.data.token;
    const wrong = await call("POST", `${U}/change-password`, {
      token,
      body: { current_password: "nope", new_password: "Fresh-Lantern-88" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toContain("body.current_password");
    expect((await userItem(acme, u.id))?.failedAttempts).toBe(1);
    const same = await call("POST", `${U}/change-password`, {
      token,
      body: { current_password: PW, new_password: PW },
    });
    expect(same.body.message).toContain("body.new_password");
    expect(
      (await call("POST", `${U}/change-password`, { body: { current_password: PW, new_password: "x" } })).status,
    ).toBe(401);
  });
});

describe("POST /users/delete", () => {
  const generateKey = async (userId: number) => {
    const res = await call("POST", "/cloud-integration/security/api-keys/generate", {
      token: del.token,
      body: { name: `key-of-${userId}`, scope: ["gateways:read"], user_id: userId },
    });
    expect(res.status).toBe(201);
    return res.body.api_key.id as number;
  };

  it("answers the spec example: ends sessions, archives the profile without secrets, frees the login names", async () => {
    const u = user("leaver");
    const [t1] = (await Promise.all([signIn("leaver"), signIn("leaver")])).map((r) => r.body.data.token);
    const keyId = await generateKey(u.id);
    const res = await call("POST", `${U}/delete`, {
      token: del.token,
      body: {
        user_id: u.id,
        transfer_data_to: del.userId,
        archive_data: true,
        reason: "User no longer requires access",
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "deleted",
      user_id: u.id,
      message: "User deleted successfully",
      data_transferred: true,
      data_archived: true,
      sessions_terminated: 2,
      api_keys_transferred: 1,
      api_keys_revoked: 0,
    });
    // The key now belongs to the user the data went to.
    const heir = await call("GET", `${U}/${del.userId}`, { token: del.token });
    expect(heir.body.api_keys.map((k: { id: number }) => k.id)).toContain(keyId);
    expect((await call("GET", "/api/auth/me", { token: t1 })).status).toBe(401);
    expect(await userItem(del, u.id)).toBeUndefined();
    const archive = (await db.send(new GetCommand({ TableName: tableName, Key: userKeys.archive(del.tenantId, u.id) })))
      .Item;
    expect(archive).toMatchObject({
      reason: "User no longer requires access",
      profile: { username: "leaver", full_name: "Leaving User" },
    });
    expect(JSON.stringify(archive)).not.toMatch(/scrypt|passwordHash|backupCodes/);
    expect((await call("GET", `${U}/${u.id}`, { token: del.token })).status).toBe(404);
    // The username and email are free again.
    await createUser(del, { username: "leaver", email: "leaver@acme.test" });
  });

  it("refuses a bad transfer target (400/404 naming the field), deleting yourself (409), foreign ids (404)", async () => {
    const u = user("stayer");
    const self = await call("POST", `${U}/delete`, {
      token: del.token,
      body: { user_id: u.id, transfer_data_to: u.id },
    });
    expect(self.status).toBe(400);
    expect(self.body.message).toContain("body.transfer_data_to");
    const missing = await call("POST", `${U}/delete`, {
      token: del.token,
      body: { user_id: u.id, transfer_data_to: 9999 },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain("body.transfer_data_to");
    expect((await call("POST", `${U}/delete`, { token: del.token, body: { user_id: del.userId } })).status).toBe(409);
    expect((await call("POST", `${U}/delete`, { token: tiny.token, body: { user_id: globexUserId } })).status).toBe(
      404,
    );
    expect(await userItem(globex, globexUserId)).toBeDefined();
    expect(await userItem(del, u.id)).toBeDefined();
    expect((await call("POST", `${U}/delete`, { body: { user_id: u.id } })).status).toBe(401);
    expect((await call("POST", `${U}/delete`, { token: viewerToken, body: { user_id: u.id } })).status).toBe(403);
  });

  it("revokes the user's API keys when nothing is transferred", async () => {
    const u = user("no-heir");
    const keyId = await generateKey(u.id);
    const res = await call("POST", `${U}/delete`, { token: del.token, body: { user_id: u.id } });
    expect(res.body).toMatchObject({
      data_transferred: false,
      data_archived: false,
      api_keys_transferred: 0,
      api_keys_revoked: 1,
    });
    const keys = await call("GET", "/cloud-integration/security/api-keys", { token: del.token });
    expect(keys.body.api_keys.find((k: { id: number }) => k.id === keyId)?.status).toBe("revoked");
  });
});
