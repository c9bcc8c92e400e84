/**
 * The login slice end to end through the endpoint kit and DynamoDB Local: every login route's
 * spec example, bad input, missing and revoked tokens, and tenant isolation.
 */

import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { readAudit, verifyAuditChain } from "#shared/audit/db/trail.ts";
import { resetBillingSettings } from "#shared/billing/settings.ts";
import { userKeys } from "#shared/identity/db/users.ts";
import { db, dbCalls, resetDbCalls, tableName } from "#shared/table/client.ts";
import { getTenant } from "#shared/tenancy/tenants.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
/** A password sign-in's DynamoDB calls by command (7; the policy and token settings were two GetItems, 8). */
const EXPECTED_SIGN_IN_CALLS = {
  BatchGetItemCommand: 2,
  QueryCommand: 1,
  TransactWriteItemsCommand: 1,
  UpdateItemCommand: 2,
  PutItemCommand: 1,
};
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("acme"), newTenant("globex")]);
});

/** Runs `fn` with WARDEN_SIGNUP_PLAN unset (the product's default, free), then restores the suite's value. */
async function onDefaultSignupPlan<T>(fn: () => Promise<T>): Promise<T> {
  const suitePlan = process.env.WARDEN_SIGNUP_PLAN;
  delete process.env.WARDEN_SIGNUP_PLAN;
  resetBillingSettings();
  try {
    return await fn();
  } finally {
    if (suitePlan !== undefined) process.env.WARDEN_SIGNUP_PLAN = suitePlan;
    resetBillingSettings();
  }
}

describe("POST /api/auth/signup", () => {
  it("creates an organization on the free plan with the caller as admin, and answers like login", async () => {
    // The suite starts signed-up tenants on enterprise (test/setup/env.ts) and signup answers the
    // plan the tenant really got: this signup runs on the product's default (WARDEN_SIGNUP_PLAN
    // unset: free), as billing's tests do, and the suite's setting is restored after it.
    const res = await onDefaultSignupPlan(() =>
      call("POST", "/api/auth/signup", {
        body: {
          organization: "Initech Ltd",
          username: `peter-${Date.now()}`,
          email: `peter${Date.now()}@initech.test`,
          password: "Tps-Reports#2026!",
        },
        ip: freshIp(),
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("success");
    expect(res.body.data.user.role).toBe("admin");
    expect(res.body.data.organization.plan).toBe("free");
    expect((await getTenant(res.body.data.organization.id))?.plan).toBe("free");
    expect(res.body.data.token.split(".")).toHaveLength(3);
    const me = await call("GET", "/api/auth/me", { token: res.body.data.token });
    expect(me.status).toBe(200);
    expect(me.body.data.username).toBe(res.body.data.user.username);
  });

  it("refuses an organization that already exists with 409, and writes nothing", async () => {
    const res = await call("POST", "/api/auth/signup", {
      body: {
        organization: acme.organization,
        username: "someone-else",
        email: "someone@else.test",
        password: "Another#Passw0rd!",
      },
      ip: freshIp(),
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/already exists/);
    expect(
      await call("POST", "/api/auth/login", {
        body: { username: "someone-else", password: "Another#Passw0rd!" },
        ip: freshIp(),
      }),
    ).toMatchObject({ status: 401 });
  });

  it("refuses a password the default policy rejects, naming the field", async () => {
    const res = await call("POST", "/api/auth/signup", {
      body: { organization: `weak-${Date.now()}`, username: "weakling", email: "weak@x.test", password: "password" },
      ip: freshIp(),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(res.body.error.message).toContain("body.password");
  });
});

describe("POST /api/auth/login (securenet)", () => {
  it("answers the spec example's shape for a username", async () => {
    const res = await call("POST", "/api/auth/login", {
      body: { username: acme.username, password: acme.password },
      ip: freshIp(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "success",
      data: {
        token: expect.any(String),
        user: { id: acme.userId, username: acme.username, email: `${acme.username}@example.com`, role: "admin" },
      },
      timestamp: expect.any(String),
    });
    expect(new Date(res.body.data.user.last_login).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("accepts the email instead of the username, in any case", async () => {
    const res = await call("POST", "/api/auth/login", {
      body: { username: `${acme.username}@EXAMPLE.com`.toUpperCase(), password: acme.password },
      ip: freshIp(),
    });
    expect(res.status).toBe(200);
  });

  it("gives a wrong password, an unknown user and a malformed body the surface's error format", async () => {
    const wrong = await call("POST", "/api/auth/login", {
      body: { username: globex.username, password: "nope" },
      ip: freshIp(),
    });
    const unknown = await call("POST", "/api/auth/login", {
      body: { username: "nobody-here", password: "nope" },
      ip: freshIp(),
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toEqual(unknown.body.error);
    expect(wrong.body.error.code).toBe("AUTHENTICATION_FAILED");

    const malformed = await call("POST", "/api/auth/login", { rawBody: "{not json", ip: freshIp() });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ status: "error", error: { code: "VALIDATION_ERROR" } });

    const wrongType = await call("POST", "/api/auth/login", { body: { username: 42, password: "x" }, ip: freshIp() });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toContain("body.username");
    expect(wrongType.body.error.message).not.toContain("required");

    const extra = await call("POST", "/api/auth/login", {
      body: { username: "a", password: "b", tenant_id: "globex" },
      ip: freshIp(),
    });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toContain("body.tenant_id");
  });

  it("locks the account after the policy's 5 failures, answers a locked account like a wrong password, and audits the lock", async () => {
    const t = await newTenant("lockout");
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      const r = await call("POST", "/api/auth/login", {
        body: { username: t.username, password: `wrong-${i}` },
        ip: `${ip}${i}`,
      });
      expect(r.status).toBe(401);
    }
    const locked = await call("POST", "/api/auth/login", {
      body: { username: t.username, password: t.password },
      ip: freshIp(),
    });
    expect(locked.status).toBe(401);
    expect(locked.body.error.message).toBe("Invalid username or password");

    const user = (await db.send(new GetCommand({ TableName: tableName, Key: userKeys.user(t.tenantId, t.userId) })))
      .Item;
    expect(user?.status).toBe("locked");
    expect(new Date(String(user?.lockedUntil)).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);

    const trail = await readAudit(t.tenantId, new Date(Date.now() - 60_000), new Date());
    expect(trail.filter((r) => r.event_type === "login_failed")).toHaveLength(6);
    expect(trail.find((r) => r.event_type === "account_locked")).toMatchObject({ severity: "high", user: t.username });
    expect(await verifyAuditChain(t.tenantId)).toMatchObject({ intact: true });
  });
});

describe("POST /api/v1/auth/token (cloudsentinel)", () => {
  it("answers the spec example's shape", async () => {
    const res = await call("POST", "/api/v1/auth/token", {
      body: { username: acme.username, password: acme.password },
      ip: freshIp(),
    });
    expect(res.status).toBe(200);
    // The default policy enforces 2FA for admins and this one has none enrolled yet: the token is
    // good for 2FA enrolment only, and the answer says so.
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      expires_in: 3600,
      user_id: acme.userId,
      role: "admin",
      restricted_to: "two_factor_enrollment",
    });
  });

  it("answers validation errors as FastAPI's 422 with loc/msg/type", async () => {
    const res = await call("POST", "/api/v1/auth/token", { body: { username: "x" }, ip: freshIp() });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      { loc: ["body", "password"], msg: "field required", type: "value_error.missing" },
    ]);
  });

  it("answers bad credentials with {detail}", async () => {
    const res = await call("POST", "/api/v1/auth/token", {
      body: { username: acme.username, password: "wrong" },
      ip: freshIp(),
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: "Invalid username or password" });
  });

  it("limits sign-in attempts per source address with 429 and X-RateLimit headers", async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const ip = freshIp();
      const answers: Awaited<ReturnType<typeof call>>[] = [];
      for (let i = 0; i < 6; i++) {
        answers.push(await call("POST", "/api/v1/auth/token", { body: { username: "nobody", password: "x" }, ip }));
      }
      // Crossed a minute boundary: the window restarted mid-way, so try once more from a fresh address.
      if (new Set(answers.map((a) => a.headers["X-RateLimit-Reset"])).size > 1) continue;
      expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429]);
      const last = answers[5];
      expect(last?.headers["X-RateLimit-Limit"]).toBe("5");
      expect(last?.headers["X-RateLimit-Remaining"]).toBe("0");
      expect(Number(last?.headers["Retry-After"])).toBeGreaterThan(0);
      return;
    }
    throw new Error("could not stay within one rate-limit window");
  });
});

describe("GET /api/v1/auth/me, /api/v1/auth/validate, /api/auth/me", () => {
  it("answer the spec examples for the signed-in user", async () => {
    const me = await call("GET", "/api/v1/auth/me", { token: acme.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: acme.userId,
      username: acme.username,
      role: "admin",
      is_active: true,
      full_name: "",
    });
    expect(me.body).toHaveProperty("created_at");
    expect(me.body).toHaveProperty("last_login");

    const v = await call("GET", "/api/v1/auth/validate", { token: acme.token });
    expect(v.body).toMatchObject({
      valid: true,
      user_id: acme.userId,
      email: `${acme.username}@example.com`,
      role: "admin",
    });
    expect(new Date(v.body.expires_at).getTime()).toBeGreaterThan(Date.now());

    const sn = await call("GET", "/api/auth/me", { token: acme.token });
    expect(sn.body.data).toEqual({
      id: acme.userId,
      username: acme.username,
      email: `${acme.username}@example.com`,
      role: "admin",
      last_login: expect.anything(),
    });
  });

  it("answer 401 without a token, with a forged token, and each surface in its own format", async () => {
    const none = await call("GET", "/api/v1/auth/me");
    expect(none.status).toBe(401);
    expect(none.body).toHaveProperty("detail");
    const sn = await call("GET", "/api/auth/me");
    expect(sn.status).toBe(401);
    expect(sn.body.error.code).toBe("AUTHENTICATION_FAILED");
    const [h, p] = acme.token.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p ?? "", "base64url").toString()), tid: globex.tenantId })).toString("base64url")}.${acme.token.split(".")[2]}`;
    expect((await call("GET", "/api/v1/auth/me", { token: forged })).status).toBe(401);
  });

  it("costs `me` at most 2 DynamoDB calls and never a Scan", async () => {
    resetDbCalls();
    const res = await call("GET", "/api/v1/auth/me", { token: acme.token });
    expect(res.status).toBe(200);
    const calls = dbCalls();
    expect(calls.total).toBeLessThanOrEqual(2);
    expect(calls.byCommand.ScanCommand).toBeUndefined();
  });

  it("costs a password sign-in 7 DynamoDB calls: two BatchGets and a Query read everything it needs", async () => {
    // Arrange: the first sign-in of the tenant fills nothing the second needs (no cache).
    await call("POST", "/api/v1/auth/token", {
      body: { username: acme.username, password: acme.password },
      ip: freshIp(),
    });
    resetDbCalls();

    // Act
    const res = await call("POST", "/api/v1/auth/token", {
      body: { username: acme.username, password: acme.password },
      ip: freshIp(),
    });

    // Assert: login pointer + address failures (BatchGet), user + its sessions (Query), auth policy +
    // token settings (BatchGet), the session transaction, the sign-in recorded on the user, and the
    // audit record; the per-address rate-limit window is one more update.
    expect(res.status).toBe(200);
    const calls = dbCalls();
    expect(calls.byCommand).toEqual(EXPECTED_SIGN_IN_CALLS);
    expect(calls.byCommand.ScanCommand).toBeUndefined();
  });

  it("never shows one tenant's user to another tenant's token", async () => {
    const a = await call("GET", "/api/v1/auth/me", { token: acme.token });
    const g = await call("GET", "/api/v1/auth/me", { token: globex.token });
    expect(a.body.username).toBe(acme.username);
    expect(g.body.username).toBe(globex.username);
  });
});

describe("POST /api/auth/logout", () => {
  it("revokes the token on the very next request, and audits the logout", async () => {
    const login = await call("POST", "/api/auth/login", {
      body: { username: globex.username, password: globex.password },
      ip: freshIp(),
    });
    const token = login.body.data.token as string;
    const out = await call("POST", "/api/auth/logout", { token });
    expect(out.status).toBe(200);
    expect(out.body.data).toEqual({ message: "Successfully logged out" });
    expect((await call("GET", "/api/auth/me", { token })).status).toBe(401);
    expect((await call("GET", "/api/v1/auth/validate", { token })).status).toBe(401);
    expect((await call("GET", "/api/auth/me", { token: globex.token })).status).toBe(200);
    const trail = await readAudit(globex.tenantId, new Date(Date.now() - 60_000), new Date());
    expect(trail.find((r) => r.event_type === "logout")).toMatchObject({ status: "success", user: globex.username });
  });

  it("answers 401 without a token", async () => {
    expect((await call("POST", "/api/auth/logout")).status).toBe(401);
  });
});

describe("POST /api/v1/auth/register", () => {
  it("creates a least-privileged user in the caller's tenant by default (spec example shape)", async () => {
    const res = await call("POST", "/api/v1/auth/register", {
      token: acme.token,
      body: {
        email: "viewer1@acme.test",
        username: "viewer1-acme",
        password: "Secure-Passw0rd!",
        full_name: "Full Name",
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      email: "viewer1@acme.test",
      username: "viewer1-acme",
      full_name: "Full Name",
      role: "viewer",
      is_active: true,
      created_at: expect.any(String),
    });
    const login = await call("POST", "/api/v1/auth/token", {
      body: { username: "viewer1-acme", password: "Secure-Passw0rd!" },
      ip: freshIp(),
    });
    expect(login.body.role).toBe("viewer");

    // A viewer may not register anyone, least of all an admin.
    const denied = await call("POST", "/api/v1/auth/register", {
      token: login.body.access_token,
      body: { email: "evil@acme.test", username: "evil-admin", password: "Secure-Passw0rd!", role: "admin" },
    });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: expect.stringContaining("users:write") });
  });

  it("refuses a taken username or email with 409 and a 422 for a bad email", async () => {
    const dup = await call("POST", "/api/v1/auth/register", {
      token: globex.token,
      body: { email: "fresh@globex.test", username: acme.username, password: "Secure-Passw0rd!" },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toContain("username");
    const bad = await call("POST", "/api/v1/auth/register", {
      token: globex.token,
      body: { email: "not-an-email", username: "someone", password: "Secure-Passw0rd!" },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(["body", "email"]);
  });

  it("refuses an unknown role field value and unknown fields", async () => {
    const res = await call("POST", "/api/v1/auth/register", {
      token: globex.token,
      body: { email: "x@globex.test", username: "xrole", password: "Secure-Passw0rd!", role: "superuser" },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ loc: ["body", "role"], msg: "unknown role 'superuser'" });
    const extra = await call("POST", "/api/v1/auth/register", {
      token: globex.token,
      body: { email: "y@globex.test", username: "yrole", password: "Secure-Passw0rd!", tenant_id: acme.tenantId },
    });
    expect(extra.status).toBe(422);
    expect(extra.body.detail[0].loc).toEqual(["body", "tenant_id"]);
  });
});

describe("GET /.well-known/jwks.json", () => {
  it("publishes the ES256 public key that verifies issued tokens, and no private part", async () => {
    const res = await call("GET", "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.body.keys).toHaveLength(1);
    const [key] = res.body.keys;
    expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(key).not.toHaveProperty("d");
    const header = JSON.parse(Buffer.from(acme.token.split(".")[0] ?? "", "base64url").toString());
    expect(header).toEqual({ alg: "ES256", typ: "JWT", kid: key.kid });
  });
});

describe("every response", () => {
  it("carries the security headers and a request id", async () => {
    const res = await call("GET", "/api/v1/auth/me", { token: acme.token });
    expect(res.headers).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "X-XSS-Protection": "1; mode=block",
      "Strict-Transport-Security": "max-age=31536000",
      "Content-Security-Policy": "default-src 'self'",
    });
    expect(res.headers["X-Request-Id"]).toBeTruthy();
    expect(res.headers["X-RateLimit-Limit"]).toBe("100");
  });
});
