/**
 * Vertical privilege escalation through the user routes (finding 1 of the outside attack run).
 * The rule: nobody grants what they do not hold themselves — their effective permissions, not
 * their role's — and nobody widens their own permissions at all. A user whose permissions were
 * narrowed below their role must stay narrowed, whatever the role would allow.
 *
 * Each case makes its own attacker and victim in one shared tenant; the tenant's administrator
 * reads the result back.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "#test/helpers/api.ts";
import { uniqueIp, World, type WorldUser } from "#test/helpers/world.ts";

const USERS = "/cloud-integration/security/users";
const AUDIT_LOGS = "/cloud-integration/security/audit/logs";

let w: World;

/** A user of `role` narrowed to `permissions`, with a session of their own. */
async function narrowed(role: string, permissions: string[]): Promise<{ user: WorldUser; token: string }> {
  const user = await w.user({ role, permissions, label: "narrowed" });
  expect(user.permissions).toEqual(permissions);
  return { user, token: await w.mint(user) };
}

/** What the administrator sees of a user's permissions. */
async function permissionsOf(id: number): Promise<string[]> {
  const res = await w.make("GET", `${USERS}/${id}`);
  expect(res.status).toBe(200);
  return res.body.permissions;
}

const update = (token: string, body: Record<string, unknown>) =>
  call("POST", `${USERS}/update`, { token, body, ip: uniqueIp() });

beforeAll(async () => {
  w = await World.create("escalation");
  await w.role("ops", ["users:write", "firewall:write", "audit:read"]);
});

describe("finding 1: nobody widens their own permissions", { timeout: 60_000 }, () => {
  it("finding 1: an admin-role user narrowed to users:write cannot set their own permissions back to '*'", async () => {
    const { user, token } = await narrowed("admin", ["users:write"]);

    const res = await update(token, { user_id: user.id, permissions: ["*"] });

    expect(res.status).toBe(403);
    expect(await permissionsOf(user.id)).toEqual(["users:write"]);
    expect((await call("GET", AUDIT_LOGS, { token, ip: uniqueIp() })).status).toBe(403);
  });

  it("finding 1: nor add a permission of their role they were narrowed out of", async () => {
    const { user, token } = await narrowed("admin", ["users:write"]);

    const res = await update(token, { user_id: user.id, permissions: ["users:write", "audit:read"] });

    expect(res.status).toBe(403);
    expect(await permissionsOf(user.id)).toEqual(["users:write"]);
    expect((await call("GET", AUDIT_LOGS, { token, ip: uniqueIp() })).status).toBe(403);
  });

  it("finding 1: a custom-role user narrowed below the role cannot widen themselves inside it", async () => {
    const { user, token } = await narrowed("ops", ["users:write"]);

    const res = await update(token, { user_id: user.id, permissions: ["users:write", "firewall:write", "audit:read"] });

    expect(res.status).toBe(403);
    expect(await permissionsOf(user.id)).toEqual(["users:write"]);
  });
});

describe("finding 1: nobody grants what they do not hold", { timeout: 60_000 }, () => {
  it("finding 1: a narrowed admin cannot give another narrowed admin '*'", async () => {
    const attacker = await narrowed("admin", ["users:write"]);
    const victim = await narrowed("admin", ["users:read"]);

    const res = await update(attacker.token, { user_id: victim.user.id, permissions: ["*"] });

    expect(res.status).toBe(403);
    expect(await permissionsOf(victim.user.id)).toEqual(["users:read"]);
    expect((await call("GET", AUDIT_LOGS, { token: victim.token, ip: uniqueIp() })).status).toBe(403);
  });

  it("finding 1: nor a permission of the other user's role that the granter lacks (audit:read)", async () => {
    const attacker = await narrowed("admin", ["users:write"]);
    const victim = await narrowed("admin", ["users:read"]);

    const res = await update(attacker.token, { user_id: victim.user.id, permissions: ["users:read", "audit:read"] });

    expect(res.status).toBe(403);
    expect(await permissionsOf(victim.user.id)).toEqual(["users:read"]);
  });

  it("finding 1: nor, with a custom role, a permission of that role the granter was narrowed out of", async () => {
    const attacker = await narrowed("ops", ["users:write"]);
    const victim = await narrowed("ops", ["users:read"]);

    const res = await update(attacker.token, {
      user_id: victim.user.id,
      permissions: ["users:read", "firewall:write"],
    });

    expect(res.status).toBe(403);
    expect(await permissionsOf(victim.user.id)).toEqual(["users:read"]);
  });
});

describe("what a narrowed user may still do (controls: the fix must not refuse these)", { timeout: 60_000 }, () => {
  it("grants another user a permission the granter holds", async () => {
    const attacker = await narrowed("admin", ["users:write"]);
    const victim = await narrowed("admin", ["users:read"]);

    const res = await update(attacker.token, { user_id: victim.user.id, permissions: ["users:read", "users:write"] });

    expect(res.status).toBe(200);
    expect(await permissionsOf(victim.user.id)).toEqual(["users:read", "users:write"]);
  });

  it("narrows their own permissions further", async () => {
    const { user, token } = await narrowed("ops", ["users:write", "audit:read"]);

    const res = await update(token, { user_id: user.id, permissions: ["users:write"] });

    expect(res.status).toBe(200);
    expect(await permissionsOf(user.id)).toEqual(["users:write"]);
  });

  it("cannot create a user of a role whose permissions the creator lacks (already refused)", async () => {
    const { token } = await narrowed("admin", ["users:write"]);
    const name = w.name("escalated");

    const res = await call("POST", `${USERS}/create`, {
      token,
      ip: uniqueIp(),
      body: { username: name, email: `${name}@example.com`, password: "Sturdy#Harbor-77aa", role: "admin" },
    });

    expect(res.status).toBe(403);
  });
});
