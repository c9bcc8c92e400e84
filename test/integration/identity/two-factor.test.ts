/**
 * Two-factor authentication end to end: enrolment forced by the policy (restricted token), TOTP
 * enrolment with the secret sealed at rest, the two-step sign-in on both login routes, single-use
 * backup codes, emailed codes through the notifier outbox, and turning 2FA off.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { userKeys } from "#shared/identity/db/users.ts";
import { base32Decode, totp } from "#shared/identity/totp.ts";
import { db, tableName } from "#shared/table/client.ts";
import { readOutbox } from "#shared/tenancy/db/outbox.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const TFA = "/cloud-integration/security/users/2fa";
const PW = "Sturdy#Harbor-2041";

let acme: Tenant;
let globex: Tenant;
/** The admin's TOTP secret and the step its enrolment code used. */
let secret: Buffer;
let enrolStep: number;
let backupCodes: string[];

const login = (username: string, password: string) =>
  call("POST", "/api/auth/login", { body: { username, password }, ip: freshIp() });
const second = (challenge_token: string, code: string) =>
  call("POST", "/api/auth/login/2fa", { body: { challenge_token, code }, ip: freshIp() });
const codeAt = (step: number) => totp(secret, step * 30_000 + 1);
const userItem = async (t: Tenant, id: number) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: userKeys.user(t.tenantId, id), ConsistentRead: true })))
    .Item;

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("twofactor"), newTenant("twofactor-other")]);
  // The admin signs in often here: keep the signup token alive under max_concurrent_sessions.
  const raised = await call("POST", "/cloud-integration/security/authentication/update", {
    token: acme.token,
    body: { session_settings: { max_concurrent_sessions: 20 } },
  });
  expect(raised.status).toBe(200);
});

describe("enrolment forced by the policy (admins must use 2FA by default)", () => {
  it("signs an admin without 2FA in with a token good for enrolment only", async () => {
    const res = await login(acme.username, acme.password);
    expect(res.status).toBe(200);
    expect(res.body.data.restricted_to).toBe("two_factor_enrollment");
    const restricted = res.body.data.token;
    const denied = await call("GET", "/cloud-integration/security/users", { token: restricted });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe("two-factor enrollment required");

    const enrol = await call("POST", `${TFA}/enroll`, { token: restricted, body: {} });
    expect(enrol.status).toBe(200);
    expect(enrol.body).toEqual({
      status: "pending_verification",
      method: "app",
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      otpauth_uri: expect.stringMatching(/^otpauth:\/\/totp\/Warden:/),
      expires_at: expect.any(String),
    });
    expect(new URL(enrol.body.otpauth_uri).searchParams.get("secret")).toBe(enrol.body.secret);
    // Sealed at rest: the stored pending secret is an envelope, never the base32 text.
    const stored = await userItem(acme, acme.userId);
    expect(stored?.twoFactorPending.secret).toMatch(/^v1\./);
    expect(JSON.stringify(stored)).not.toContain(enrol.body.secret);

    secret = base32Decode(enrol.body.secret);
    const wrong = await call("POST", `${TFA}/verify`, { token: restricted, body: { code: "000000" } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toContain("body.code");
    enrolStep = Math.floor(Date.now() / 30_000);
    const verify = await call("POST", `${TFA}/verify`, { token: restricted, body: { code: codeAt(enrolStep) } });
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ status: "enabled", method: "app" });
    expect(verify.body.backup_codes).toHaveLength(10);
    expect(verify.body.backup_codes[0]).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    backupCodes = verify.body.backup_codes;
    const after = await userItem(acme, acme.userId);
    expect(after).toMatchObject({ twoFactorEnabled: true, twoFactorMethod: "app", twoFactorPending: null });
    expect(JSON.stringify(after)).not.toContain(backupCodes[0]);
    expect((await call("POST", `${TFA}/verify`, { token: restricted, body: { code: "123456" } })).status).toBe(409);
  });
});

describe("sign-in with TOTP", () => {
  it("answers a correct password with a challenge and no token, then a code with the session", async () => {
    const first = await login(acme.username, acme.password);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({
      two_factor_required: true,
      challenge_token: expect.stringMatching(new RegExp(`^${acme.tenantId}\\.`)),
      methods: ["app", "backup_code"],
      expires_in: 300,
    });
    expect(first.body.data).not.toHaveProperty("token");
    const replayOfEnrolment = await second(first.body.data.challenge_token, codeAt(enrolStep));
    expect(replayOfEnrolment.status).toBe(401);

    const ok = await second(first.body.data.challenge_token, codeAt(enrolStep + 1));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: "success",
      data: { token: expect.any(String), user: { id: acme.userId, role: "admin" } },
    });
    expect(ok.body.data).not.toHaveProperty("restricted_to");
    expect((await call("GET", "/cloud-integration/security/users", { token: ok.body.data.token })).status).toBe(200);
    // A challenge answers once.
    expect((await second(first.body.data.challenge_token, codeAt(enrolStep + 1))).status).toBe(401);
  });

  it("gives the cloudsentinel token route the same challenge in its own shape", async () => {
    const res = await call("POST", "/api/v1/auth/token", {
      body: { username: acme.username, password: acme.password },
      ip: freshIp(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      two_factor_required: true,
      challenge_token: expect.any(String),
      methods: ["app", "backup_code"],
      expires_in: 300,
    });
    // The same TOTP step never works twice.
    const replay = await second(res.body.challenge_token, codeAt(enrolStep + 1));
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toBe("Invalid username or password");
  });

  it("accepts a backup code once; the second use is refused", async () => {
    const code = backupCodes[0] ?? "";
    const a = await login(acme.username, acme.password);
    const used = await second(a.body.data.challenge_token, code.toLowerCase());
    expect(used.status).toBe(200);
    const b = await login(acme.username, acme.password);
    expect((await second(b.body.data.challenge_token, code)).status).toBe(401);
    expect((await userItem(acme, acme.userId))?.backupCodes).toHaveLength(9);
    // Another backup code still works on a fresh challenge (the refused one counted as a failure only).
    const c = await login(acme.username, acme.password);
    expect((await second(c.body.data.challenge_token, backupCodes[1] ?? "")).status).toBe(200);
  });

  it("refuses a challenge token bent to another tenant, and malformed input naming the field", async () => {
    const a = await login(acme.username, acme.password);
    const [, secretPart] = String(a.body.data.challenge_token).split(".");
    expect((await second(`${globex.tenantId}.${secretPart}`, backupCodes[2] ?? "")).status).toBe(401);
    const missing = await call("POST", "/api/auth/login/2fa", { body: { challenge_token: "x" }, ip: freshIp() });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain("body.code");
  });

  it("keeps 2FA on for a role the policy enforces", async () => {
    const token = (
      await second((await login(acme.username, acme.password)).body.data.challenge_token, backupCodes[3] ?? "")
    ).body.data.token;
    const res = await call("POST", `${TFA}/disable`, { token, body: { password: acme.password } });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain("required for role 'admin'");
  });
});

describe("a viewer's own 2FA by email, and turning it off", () => {
  it("enrols with an emailed code, signs in with the next emailed code, and disables with the password", async () => {
    const created = await call("POST", "/cloud-integration/security/users/create", {
      token: acme.token,
      body: { username: "mail-2fa", email: "mail-2fa@tf.test", password: PW },
    });
    const userId = created.body.user_id;
    const token = (await login("mail-2fa", PW)).body.data.token;
    const enrol = await call("POST", `${TFA}/enroll`, { token, body: { method: "email" } });
    expect(enrol.body).toMatchObject({
      status: "pending_verification",
      method: "email",
      code_sent: true,
      destination: "m***@tf.test",
    });
    const codeFrom = async () => {
      const mails = (await readOutbox(acme.tenantId)).filter(
        (m) => m.to === "mail-2fa@tf.test" && m.kind === "two_factor_code",
      );
      return String(mails.at(-1)?.body.match(/\b(\d{6})\b/)?.[1]);
    };
    const verify = await call("POST", `${TFA}/verify`, { token, body: { code: await codeFrom() } });
    expect(verify.body).toMatchObject({ status: "enabled", method: "email" });

    const first = await login("mail-2fa", PW);
    expect(first.body.data.methods).toEqual(["email", "backup_code"]);
    const session = await second(first.body.data.challenge_token, await codeFrom());
    expect(session.status).toBe(200);

    const fresh = session.body.data.token;
    const wrong = await call("POST", `${TFA}/disable`, { token: fresh, body: { password: "not-it" } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toContain("body.password");
    const both = await call("POST", `${TFA}/disable`, { token: fresh, body: {} });
    expect(both.body.message).toContain("body.code");
    expect((await call("POST", `${TFA}/disable`, { token: fresh, body: { password: PW } })).body).toEqual({
      status: "disabled",
      message: "Two-factor authentication disabled",
    });
    expect(await userItem(acme, userId)).toMatchObject({
      twoFactorEnabled: false,
      twoFactorMethod: null,
      backupCodes: [],
    });
    expect((await login("mail-2fa", PW)).body.data.token).toEqual(expect.any(String));
  });

  it("refuses bad input, an unknown method, and answers 401 without a token", async () => {
    const token = acme.token;
    const method = await call("POST", `${TFA}/enroll`, { token, body: { method: "pigeon" } });
    expect(method.status).toBe(400);
    expect(method.body.message).toContain("body.method");
    const phone = await call("POST", `${TFA}/enroll`, { token, body: { method: "sms", phone: "12345" } });
    expect(phone.body.message).toContain("body.phone");
    expect((await call("POST", `${TFA}/verify`, { token, body: { code: "abc" } })).body.message).toContain("body.code");
    expect((await call("POST", `${TFA}/enroll`, { body: {} })).status).toBe(401);
    expect((await call("POST", `${TFA}/verify`, { body: { code: "123456" } })).status).toBe(401);
  });

  it("lets an administrator switch a user's 2FA off (lost phone), and a disabled policy refuses enrolment", async () => {
    const t = await newTenant("twofactor-reset");
    const created = await call("POST", "/cloud-integration/security/users/create", {
      token: t.token,
      body: { username: "phone-lost", email: "lost@tf.test", password: PW, two_factor_enabled: true },
    });
    const restricted = await login("phone-lost", PW);
    expect(restricted.body.data.restricted_to).toBe("two_factor_enrollment");
    const reset = await call("POST", "/cloud-integration/security/users/update", {
      token: t.token,
      body: { user_id: created.body.user_id, two_factor_enabled: false },
    });
    expect(reset.body.changes.two_factor_enabled).toEqual({ old: true, new: false });
    const free = await login("phone-lost", PW);
    expect(free.body.data).not.toHaveProperty("restricted_to");

    await call("POST", "/cloud-integration/security/authentication/update", {
      token: t.token,
      body: { two_factor: { mode: "disabled" } },
    });
    const refused = await call("POST", `${TFA}/enroll`, { token: free.body.data.token, body: {} });
    expect(refused.status).toBe(409);
  });
});
