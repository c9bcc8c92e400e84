/**
 * Gateway "Authentication Policies": settings (the spec example is a new tenant's start), partial
 * validated updates with their effects, policy profiles (beyond spec), test-password, and the
 * policy enforced where passwords are set and at sign-in (expiry, session limits).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { userKeys } from "#shared/identity/db/users.ts";
import { db, tableName } from "#shared/table/client.ts";
import { readOutbox } from "#shared/tenancy/db/outbox.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const A = "/cloud-integration/security/authentication";
const PW = "Sturdy#Harbor-2041";

let acme: Tenant;
let globex: Tenant;
let viewer: { id: number; token: string };

async function addUser(t: Tenant, username: string, extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/cloud-integration/security/users/create", {
    token: t.token,
    body: { username, email: `${username}@policy.test`, password: PW, ...extra },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.body.user_id as number;
}

const signIn = (username: string, password = PW) =>
  call("POST", "/api/auth/login", { body: { username, password }, ip: freshIp() });

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("policy"), newTenant("policy-other")]);
  const id = await addUser(acme, "policy-viewer");
  viewer = { id, token: (await signIn("policy-viewer")).body.data.token };
});

describe("GET /authentication/settings", () => {
  it("starts a new tenant with the spec example's settings, every field", async () => {
    const res = await call("GET", `${A}/settings`, { token: globex.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      password_policy: {
        min_length: 8,
        max_length: 64,
        expiry_days: 90,
        history_size: 5,
        require_special_chars: true,
        require_numbers: true,
        require_uppercase: true,
        require_lowercase: true,
        prevent_reuse: true,
        prevent_common: true,
        prevent_sequential: true,
        prevent_username: true,
      },
      account_protection: {
        lockout_attempts: 5,
        lockout_duration: 15,
        lockout_window: 15,
        captcha_enabled: true,
        captcha_threshold: 3,
        ip_blacklist_enabled: true,
        ip_blacklist_threshold: 10,
      },
      session_settings: {
        timeout_minutes: 15,
        max_concurrent_sessions: 3,
        session_renewal: true,
        idle_timeout: 30,
        remember_me_days: 30,
        secure_cookies: true,
        http_only_cookies: true,
      },
      two_factor: {
        mode: "optional",
        enforced_for_roles: ["admin"],
        methods: ["app", "sms", "email"],
        default_method: "app",
        backup_codes_count: 10,
        recovery_enabled: true,
      },
      brute_force_protection: { enabled: true, max_attempts_per_ip: 50, window_minutes: 60, block_duration: 1440 },
    });
  });

  it("answers 401 without a token and 403 without security:read", async () => {
    expect((await call("GET", `${A}/settings`)).status).toBe(401);
    expect((await call("GET", `${A}/settings`, { token: viewer.token })).status).toBe(403);
  });
});

describe("POST /authentication/update", () => {
  it("applies the spec example: changes keyed section.field, users who must act counted and notified", async () => {
    const othersBefore = (await call("GET", `${A}/settings`, { token: globex.token })).body;
    const res = await call("POST", `${A}/update`, {
      token: acme.token,
      body: {
        password_policy: {
          min_length: 12,
          expiry_days: 60,
          require_special_chars: true,
          require_numbers: true,
          require_uppercase: true,
          history_size: 10,
        },
        account_protection: { lockout_attempts: 3, lockout_duration: 30, captcha_enabled: false },
        session_settings: { timeout_minutes: 30, max_concurrent_sessions: 5, idle_timeout: 60 },
        two_factor: {
          mode: "required",
          enforced_for_roles: ["admin", "engineer"],
          methods: ["app", "sms"],
          default_method: "app",
        },
        brute_force_protection: { max_attempts_per_ip: 100, block_duration: 2880 },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "updated",
      message: "Authentication settings updated successfully",
      // mode "required": the admin and the viewer, none with 2FA, must enrol.
      affected_users: 2,
      notifications_sent: true,
      changes: {
        "password_policy.min_length": { old: 8, new: 12 },
        "password_policy.expiry_days": { old: 90, new: 60 },
        "password_policy.history_size": { old: 5, new: 10 },
        "account_protection.lockout_attempts": { old: 5, new: 3 },
        "account_protection.lockout_duration": { old: 15, new: 30 },
        "account_protection.captcha_enabled": { old: true, new: false },
        "session_settings.timeout_minutes": { old: 15, new: 30 },
        "session_settings.max_concurrent_sessions": { old: 3, new: 5 },
        "session_settings.idle_timeout": { old: 30, new: 60 },
        "two_factor.mode": { old: "optional", new: "required" },
        "two_factor.enforced_for_roles": { old: ["admin"], new: ["admin", "engineer"] },
        "two_factor.methods": { old: ["app", "sms", "email"], new: ["app", "sms"] },
        "brute_force_protection.max_attempts_per_ip": { old: 50, new: 100 },
        "brute_force_protection.block_duration": { old: 1440, new: 2880 },
      },
    });
    const settings = (await call("GET", `${A}/settings`, { token: acme.token })).body;
    expect(settings.password_policy).toMatchObject({
      min_length: 12,
      max_length: 64,
      expiry_days: 60,
      prevent_common: true,
    });
    expect(settings.two_factor).toMatchObject({ mode: "required", backup_codes_count: 10 });
    const mails = (await readOutbox(acme.tenantId)).filter((m) => m.kind === "policy_change");
    expect(mails.map((m) => m.to).sort()).toEqual([`${acme.username}@example.com`, "policy-viewer@policy.test"].sort());
    // Another tenant's policy is untouched.
    expect((await call("GET", `${A}/settings`, { token: globex.token })).body).toEqual(othersBefore);

    // The new minimum applies to the next password set; back to optional 2FA for the rest of the file.
    const short = await call("POST", "/api/v1/auth/register", {
      token: acme.token,
      body: { email: "short@policy.test", username: "short-pw", password: "Abc-12345!x" },
    });
    expect(short.status).toBe(422);
    expect(short.body.detail[0].loc).toEqual(["body", "password"]);
    const back = await call("POST", `${A}/update`, {
      token: acme.token,
      body: { two_factor: { mode: "optional", enforced_for_roles: [] } },
    });
    expect(back.body.changes).toEqual({
      "two_factor.mode": { old: "required", new: "optional" },
      "two_factor.enforced_for_roles": { old: ["admin", "engineer"], new: [] },
    });
    expect(back.body.affected_users).toBe(0);
  });

  it("counts users whose password is older than a new expiry, and their next sign-in must change it", async () => {
    const id = await addUser(acme, "old-password");
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: userKeys.user(acme.tenantId, id),
        UpdateExpression: "SET passwordChangedAt = :t",
        ExpressionAttributeValues: { ":t": new Date(Date.now() - 45 * 86_400_000).toISOString() },
      }),
    );
    const res = await call("POST", `${A}/update`, {
      token: acme.token,
      body: { password_policy: { expiry_days: 30 } },
    });
    expect(res.body).toMatchObject({
      affected_users: 1,
      notifications_sent: true,
      changes: { "password_policy.expiry_days": { old: 60, new: 30 } },
    });
    const login = await signIn("old-password");
    expect(login.status).toBe(200);
    expect(login.body.data.restricted_to).toBe("password_change");
  });

  it("refuses out-of-range, inconsistent and unknown settings with 400 naming the field, and changes nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ password_policy: { min_length: 5 } }, "body.password_policy.min_length"],
      [{ password_policy: { min_length: 100 } }, "body.password_policy.min_length"],
      [{ password_policy: { max_length: 10, min_length: 12 } }, "body.password_policy.max_length"],
      [{ password_policy: { history_size: 25 } }, "body.password_policy.history_size"],
      [{ password_policy: { require_numbers: "yes" } }, "body.password_policy.require_numbers"],
      [{ password_policy: { colour: "blue" } }, "body.password_policy.colour"],
      [{ account_protection: { lockout_attempts: 0 } }, "body.account_protection.lockout_attempts"],
      [{ account_protection: { lockout_attempts: 101 } }, "body.account_protection.lockout_attempts"],
      [{ session_settings: { max_concurrent_sessions: 0 } }, "body.session_settings.max_concurrent_sessions"],
      [{ two_factor: { mode: "sometimes" } }, "body.two_factor.mode"],
      [{ two_factor: { methods: ["app"], default_method: "sms" } }, "body.two_factor.default_method"],
      [{ two_factor: { enforced_for_roles: ["admin", "wizard"] } }, "body.two_factor.enforced_for_roles.1"],
      [{ brute_force_protection: { window_minutes: 0 } }, "body.brute_force_protection.window_minutes"],
      [{ firewall: { enabled: true } }, "body.firewall"],
      [{}, "body"],
    ];
    const before = (await call("GET", `${A}/settings`, { token: acme.token })).body;
    for (const [body, field] of cases) {
      const res = await call("POST", `${A}/update`, { token: acme.token, body });
      expect(res.status, field).toBe(400);
      expect(res.body.message, field).toContain(field);
    }
    expect((await call("GET", `${A}/settings`, { token: acme.token })).body).toEqual(before);
  });

  it("answers 401 without a token and 403 without security:admin", async () => {
    const body = { session_settings: { timeout_minutes: 20 } };
    expect((await call("POST", `${A}/update`, { body })).status).toBe(401);
    expect((await call("POST", `${A}/update`, { token: viewer.token, body })).status).toBe(403);
  });
});

describe("max_concurrent_sessions", () => {
  it("revokes the oldest session when a sign-in would exceed the limit; logout frees a slot", async () => {
    const t = await newTenant("sessions");
    await call("POST", `${A}/update`, { token: t.token, body: { session_settings: { max_concurrent_sessions: 2 } } });
    await addUser(t, "sess-user");
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) tokens.push((await signIn("sess-user")).body.data.token);
    const me = await Promise.all(tokens.map((token) => call("GET", "/api/auth/me", { token })));
    expect(me.map((r) => r.status)).toEqual([401, 200, 200]);
    const count = async () =>
      (await call("GET", "/cloud-integration/security/users", { token: t.token })).body.users.find(
        (u: { username: string }) => u.username === "sess-user",
      ).session_count;
    expect(await count()).toBe(2);
    expect((await call("POST", "/api/auth/logout", { token: tokens[2] })).status).toBe(200);
    expect(await count()).toBe(1);
  });
});

describe("POST /authentication/profile (beyond spec)", () => {
  it("NIST SP 800-63B: refuses a 14-character password and accepts a 15-character passphrase without classes", async () => {
    const t = await newTenant("nist");
    const res = await call("POST", `${A}/profile`, { token: t.token, body: { profile: "nist" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "updated",
      profile: "nist",
      affected_users: 0,
      notifications_sent: false,
      changes: {
        "password_policy.min_length": { old: 8, new: 15 },
        "password_policy.expiry_days": { old: 90, new: 0 },
        "password_policy.require_special_chars": { old: true, new: false },
        "password_policy.require_numbers": { old: true, new: false },
        "password_policy.require_uppercase": { old: true, new: false },
        "password_policy.require_lowercase": { old: true, new: false },
      },
      password_policy: { min_length: 15, prevent_common: true, expiry_days: 0 },
    });
    const short = await call("POST", "/cloud-integration/security/users/create", {
      token: t.token,
      body: { username: "nist-user", email: "nist@policy.test", password: "Tugboat-Violet" },
    });
    expect(short.status).toBe(400);
    expect(short.body.message).toContain("body.password: must be at least 15 characters");
    const padded = await call("POST", "/cloud-integration/security/users/create", {
      token: t.token,
      body: { username: "nist-user", email: "nist@policy.test", password: "passwordpassword" },
    });
    expect(padded.body.message).toContain("commonly used");
    const ok = await call("POST", "/cloud-integration/security/users/create", {
      token: t.token,
      body: { username: "nist-user", email: "nist@policy.test", password: "violet tugboat marmalade" },
    });
    expect(ok.status).toBe(201);
    expect((await signIn("nist-user", "violet tugboat marmalade")).status).toBe(200);

    const cis = await call("POST", `${A}/profile`, { token: t.token, body: { profile: "cis" } });
    expect(cis.body.changes).toMatchObject({
      "password_policy.min_length": { old: 15, new: 14 },
      "password_policy.history_size": { old: 0, new: 24 },
      "password_policy.expiry_days": { old: 0, new: 90 },
    });
  });

  it("refuses an unknown profile (400), and answers 401 and 403", async () => {
    const bad = await call("POST", `${A}/profile`, { token: acme.token, body: { profile: "lax" } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("body.profile");
    expect((await call("POST", `${A}/profile`, { body: { profile: "nist" } })).status).toBe(401);
    expect((await call("POST", `${A}/profile`, { token: viewer.token, body: { profile: "nist" } })).status).toBe(403);
  });
});

describe("POST /authentication/test-password", () => {
  it("answers the spec example's fields, checked against the tenant's current policy", async () => {
    const res = await call("POST", `${A}/test-password`, {
      token: acme.token,
      body: { password: "MySecurePass123!", username: "user01", old_passwords: ["OldPass123!", "Previous456@"] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      strength: expect.stringMatching(/^(very weak|weak|fair|good|strong)$/),
      score: expect.any(Number),
      meets_policy: true,
      issues: [],
      suggestions: expect.any(Array),
      checks: {
        // min_length is 12 in this tenant since the spec-example update above.
        length: { passed: true, actual: 16, required: 12 },
        uppercase: { passed: true, count: 3 },
        lowercase: { passed: true, count: 9 },
        numbers: { passed: true, count: 3 },
        special: { passed: true, count: 1 },
        sequential: { passed: true },
        common: { passed: true },
        username_match: { passed: true },
        reuse: { passed: true },
      },
      estimated_crack_time: expect.any(String),
    });
    expect(res.body.score).toBeGreaterThanOrEqual(0);
    expect(res.body.score).toBeLessThanOrEqual(100);
  });

  it("scores a weak, reused password low and names what it breaks", async () => {
    const res = await call("POST", `${A}/test-password`, {
      token: viewer.token,
      body: { password: "password", username: "someone", old_passwords: ["password"] },
    });
    expect(res.body).toMatchObject({
      strength: "very weak",
      meets_policy: false,
      estimated_crack_time: expect.any(String),
    });
    expect(res.body.score).toBeLessThan(20);
    expect(res.body.checks).toMatchObject({
      length: { passed: false },
      common: { passed: false },
      reuse: { passed: false },
    });
    expect(res.body.issues).toEqual(expect.arrayContaining(["is a commonly used password", "was used recently"]));
    expect(res.body.suggestions.length).toBeGreaterThan(0);
    const strong = await call("POST", `${A}/test-password`, {
      token: viewer.token,
      body: { password: "Quartz-Lemur-Tangent-77!" },
    });
    expect(strong.body).toMatchObject({ strength: "strong", meets_policy: true, estimated_crack_time: "centuries" });
    const named = await call("POST", `${A}/test-password`, {
      token: viewer.token,
      body: { password: "Policy-Viewer-2041!x" },
    });
    expect(named.body.checks.username_match).toEqual({ passed: false });
  });

  it("refuses bad input naming the field and answers 401 without a token", async () => {
    const missing = await call("POST", `${A}/test-password`, { token: viewer.token, body: { username: "x" } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain("body.password");
    const bad = await call("POST", `${A}/test-password`, {
      token: viewer.token,
      body: { password: "x", old_passwords: "x" },
    });
    expect(bad.body.message).toContain("body.old_passwords");
    expect((await call("POST", `${A}/test-password`, { body: { password: "x" } })).status).toBe(401);
  });
});
