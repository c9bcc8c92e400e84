/**
 * Sign-ins are counted as business metrics (shared/kit/metrics.ts) exactly as the audit trail
 * records them: a success, each failed proof, and the lockout the policy triggers. Outside Lambda
 * nothing is written to stdout; the in-process tally is what the EMF lines would say.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { countedEvents } from "#shared/kit/metrics.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

const PW = "Sturdy#Harbor-2041";
let tenant: Awaited<ReturnType<typeof newTenant>>;

beforeAll(async () => {
  tenant = await newTenant("loginmetrics");
  const res = await call("POST", "/cloud-integration/security/users/create", {
    token: tenant.token,
    body: { username: "metered", email: "metered@metrics.test", password: PW },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
});

const login = (password: string) =>
  call("POST", "/api/auth/login", { body: { username: "metered", password }, ip: freshIp() });

describe("login metrics", () => {
  it("counts a successful sign-in", async () => {
    const before = countedEvents("LoginSucceeded");
    expect((await login(PW)).status).toBe(200);
    expect(countedEvents("LoginSucceeded")).toBe(before + 1);
  });

  it("counts each failed sign-in, and one lockout when the policy's threshold is reached", async () => {
    const failed = countedEvents("LoginFailed");
    const lockouts = countedEvents("Lockouts");
    // The default policy locks after five failures in its window.
    for (let i = 0; i < 5; i++) expect((await login("wrong-password")).status).toBe(401);
    expect(countedEvents("LoginFailed")).toBe(failed + 5);
    expect(countedEvents("Lockouts")).toBe(lockouts + 1);
  });
});
