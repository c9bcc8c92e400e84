/**
 * Every route that checks a password or a code counts a wrong one into the same account lockout
 * as a failed sign-in (finding 4: POST /users/2fa/disable answered 400 to wrong passwords forever,
 * uncounted). For each such route: five wrong attempts, one at a time, in a tenant whose policy
 * locks an account after five; the account is then locked and its right password no longer signs
 * it in.
 *
 * Which routes check a credential is read off the route table: every body field that carries a
 * password, a code or a PIN is classified below, and a field nobody classified fails the test — a
 * new credential check cannot land uncounted and untested.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type CallResult, call } from "#test/helpers/api.ts";
import { defOf, fieldsOf, loadCatalogue, unwrap } from "#test/helpers/route-catalogue.ts";
import { MATRIX_POLICY, strongPassword, uniqueIp, World, type WorldUser } from "#test/helpers/world.ts";

const BASE = "/cloud-integration/security";
const WRONG = "Wrong-Passw0rd!x";
const LOCKOUT = 5;

interface Check {
  /** Puts the user in the state the check needs (a factor enrolled, an enrolment pending). */
  arrange?: (u: WorldUser, token: string) => Promise<void>;
  /** One wrong attempt. */
  attempt: (u: WorldUser, token: string) => Promise<CallResult>;
}

let w: World;

/** Routes (and fields) that check a credential of the signed-in or signing-in account. */
const ACCOUNT_CHECKS: Record<string, { fields: string[]; cases: Record<string, Check> }> = {
  "POST /api/auth/login": {
    fields: ["password"],
    cases: {
      password: {
        attempt: (u) =>
          call("POST", "/api/auth/login", { body: { username: u.username, password: WRONG }, ip: uniqueIp() }),
      },
    },
  },
  "POST /api/v1/auth/token": {
    fields: ["password"],
    cases: {
      password: {
        attempt: (u) =>
          call("POST", "/api/v1/auth/token", { body: { username: u.username, password: WRONG }, ip: uniqueIp() }),
      },
    },
  },
  "POST /api/auth/login/2fa": {
    fields: ["code"],
    cases: {
      code: {
        arrange: (u, token) => w.enableTwoFactor(u, token),
        attempt: async (u) => {
          // One challenge takes five wrong codes before it is used up: ask for one when needed.
          const state = challenges.get(u.id) ?? { token: "", used: LOCKOUT };
          if (state.used >= LOCKOUT) {
            const first = await call("POST", "/api/auth/login", {
              body: { username: u.username, password: u.password },
              ip: uniqueIp(),
            });
            state.token = first.body.data?.challenge_token ?? "";
            state.used = 0;
            challenges.set(u.id, state);
          }
          state.used += 1;
          return call("POST", "/api/auth/login/2fa", {
            body: { challenge_token: state.token, code: "000000" },
            ip: uniqueIp(),
          });
        },
      },
    },
  },
  [`POST ${BASE}/users/change-password`]: {
    fields: ["current_password"],
    cases: {
      current_password: {
        attempt: (_u, token) =>
          call("POST", `${BASE}/users/change-password`, {
            token,
            body: { current_password: WRONG, new_password: strongPassword() },
            ip: uniqueIp(),
          }),
      },
    },
  },
  [`POST ${BASE}/users/2fa/disable`]: {
    fields: ["password", "code"],
    cases: {
      password: {
        arrange: (u, token) => w.enableTwoFactor(u, token),
        attempt: (_u, token) =>
          call("POST", `${BASE}/users/2fa/disable`, { token, body: { password: WRONG }, ip: uniqueIp() }),
      },
      code: {
        arrange: (u, token) => w.enableTwoFactor(u, token),
        attempt: (_u, token) =>
          call("POST", `${BASE}/users/2fa/disable`, { token, body: { code: "000000" }, ip: uniqueIp() }),
      },
    },
  },
  [`POST ${BASE}/users/2fa/verify`]: {
    fields: ["code"],
    cases: {
      code: {
        arrange: (u, token) => w.enrol(u, token),
        attempt: (_u, token) =>
          call("POST", `${BASE}/users/2fa/verify`, { token, body: { code: "000000" }, ip: uniqueIp() }),
      },
    },
  },
};

/** Credentials of the tenant rather than of an account: the unlock PIN and emergency code (finding 5's budget). */
const TENANT_CHECKS: Record<string, string[]> = {
  [`POST ${BASE}/unlock`]: ["admin_pin", "emergency_code"],
  [`POST ${BASE}/lock/pin`]: ["current_pin"],
};

/** Fields that set a new credential, or only compute over one: nothing is checked against a secret. */
const NOT_CHECKS: Record<string, string[]> = {
  "POST /api/v1/auth/register": ["password"],
  "POST /api/auth/signup": ["password"],
  [`POST ${BASE}/users/create`]: ["password"],
  [`POST ${BASE}/users/reset-password`]: ["new_password"],
  [`POST ${BASE}/users/change-password`]: ["new_password"],
  [`POST ${BASE}/authentication/test-password`]: ["password", "old_passwords"],
  [`POST ${BASE}/lock/pin`]: ["pin"],
  // The passphrase the generated private key is encrypted with (PKCS#8): set, never checked.
  [`POST ${BASE}/certificates/generate-self-signed`]: ["password"],
};

const challenges = new Map<number, { token: string; used: number }>();

beforeAll(async () => {
  w = await World.create("credentials", {
    policy: {
      ...MATRIX_POLICY,
      account_protection: { lockout_attempts: LOCKOUT, lockout_window: 15, lockout_duration: 15 },
    },
  });
});

describe("which routes check a credential (read off the route table)", { timeout: 60_000 }, () => {
  it("classifies every body field that carries a password, a code or a PIN", async () => {
    const unclassified: string[] = [];
    for (const route of await loadCatalogue()) {
      for (const [field, schema] of Object.entries(fieldsOf(route.schemas.body))) {
        // A credential is text (or a list of texts); flags and policy sections only mention one.
        const d = defOf(unwrap(schema));
        const text =
          d.type === "string" || (d.type === "array" && d.element && defOf(unwrap(d.element)).type === "string");
        if (!text || !/password|code|pin|secret|otp/i.test(field)) continue;
        const known =
          ACCOUNT_CHECKS[route.key]?.fields.includes(field) ||
          TENANT_CHECKS[route.key]?.includes(field) ||
          NOT_CHECKS[route.key]?.includes(field);
        if (!known) unclassified.push(`${route.key} body.${field}`);
      }
    }
    console.log(`Credential checks: ${cases.length} account checks on ${Object.keys(ACCOUNT_CHECKS).length} routes`);
    expect(unclassified, "add each to ACCOUNT_CHECKS (and test it), TENANT_CHECKS or NOT_CHECKS").toEqual([]);
  });
});

const cases = Object.entries(ACCOUNT_CHECKS).flatMap(([route, c]) =>
  Object.entries(c.cases).map(([field, check]) => [`${route} body.${field}`, check] as const),
);

describe("finding 4: every route that checks a password or code counts failures into the account lockout", {
  timeout: 60_000,
}, () => {
  it.each(cases)("finding 4: %s — five wrong attempts lock the account", async (_name, check) => {
    const u = await w.user({ label: "guessing-target" });
    const token = await w.mint(u);
    await check.arrange?.(u, token);

    const answers: number[] = [];
    for (let i = 0; i < LOCKOUT; i++) answers.push((await check.attempt(u, token)).status);

    expect(
      answers.every((s) => s >= 400 && s < 500),
      answers.join(","),
    ).toBe(true);
    const seen = await w.make("GET", `${BASE}/users/${u.id}`);
    expect.soft(seen.body.failed_attempts, "failed_attempts after five wrong attempts").toBe(LOCKOUT);
    expect(seen.body.status, `status after five wrong attempts (answers ${answers.join(",")})`).toBe("locked");
    const signIn = await call("POST", "/api/v1/auth/token", {
      body: { username: u.username, password: u.password },
      ip: uniqueIp(),
    });
    expect(signIn.status).toBe(401);
  });
});
