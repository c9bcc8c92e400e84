/**
 * Concurrency on the request path: for every counter and versioned item a request writes — the
 * account's failed-login counter (finding 2), a 2FA challenge's attempts (finding 3), rate-limit
 * windows, an API key's use count, the audit trail's head, and the settings documents
 * (authentication policy, firewall, SSH) — N writers at once (Promise.all of in-process calls).
 * No update may be lost: the final count or state equals the writes that were accepted. No 5xx;
 * no 409 from a route that must not conflict (sign-in, 2FA); a settings route may answer 409 to a
 * lost race, but never loses a write it accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

const iot = await startLocalIot();
// The shared code reads its environment once: point it at the local IoT Core before importing it.
await usePlatformWithLocalIot(iot);
const { call } = await import("#test/helpers/api.ts");
const { MATRIX_POLICY, newSshPublicKey, multipart, uniqueIp, World } = await import("#test/helpers/world.ts");

type World = import("#test/helpers/world.ts").World;
type WorldUser = import("#test/helpers/world.ts").WorldUser;
type CallResult = import("#test/helpers/api.ts").CallResult;

const BASE = "/cloud-integration/security";

let w: World;

beforeAll(async () => {
  w = await World.create("concurrency");
}, 60_000);

afterAll(async () => {
  await iot.stop();
});

const statuses = (rs: CallResult[]) => rs.map((r) => r.status).sort((x, y) => x - y);
const count = (rs: CallResult[], status: number) => rs.filter((r) => r.status === status).length;
const minute = () => Math.floor(Date.now() / 60_000);
/**
 * The rate limiter counts fixed one-minute windows. A burst that straddles a boundary is split between two
 * windows in an order the test cannot know (anywhere from `limit` to 2 × `limit` pass), so a burst starts
 * only with at least 20 s of its minute left — on a loaded machine 15 calls can take several seconds.
 */
async function awayFromMinuteBoundary(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 20_000) await new Promise((r) => setTimeout(r, left + 50));
}
/** Exactly `limit` pass in one window; across two, each window lets at most `limit` through. */
function expectPassed(passed: number, sent: number, limit: number, windows: number): void {
  if (windows === 1) expect(passed).toBe(Math.min(sent, limit));
  else {
    expect(passed).toBeGreaterThanOrEqual(Math.min(sent, limit));
    expect(passed).toBeLessThanOrEqual(Math.min(sent, limit * windows));
  }
}

async function detail(world: World, id: number) {
  const res = await world.make("GET", `${BASE}/users/${id}`);
  expect(res.status).toBe(200);
  return res.body as { status: string; failed_attempts: number };
}

/** Alternates the two sign-in routes, each attempt from its own address. */
function signIn(i: number, username: string, password: string): Promise<CallResult> {
  const path = i % 2 === 0 ? "/api/auth/login" : "/api/v1/auth/token";
  return call("POST", path, { body: { username, password }, ip: uniqueIp() });
}

describe("finding 2: a login never answers 409 and every failure counts", { timeout: 120_000 }, () => {
  it("finding 2: 12 concurrent wrong passwords for one user, and 12 for an unknown name: every answer 401, the counter says 12", async () => {
    const u = await w.user({ label: "guessed" });
    const guesses = (name: string) => Array.from({ length: 12 }, (_, i) => signIn(i, name, "Wrong-Passw0rd!x"));

    const known = await Promise.all(guesses(u.username));
    const unknown = await Promise.all(guesses(`nobody-${w.next()}-${u.username}`));

    // A 409 only for names that exist would tell an attacker which names do.
    expect.soft(statuses(known)).toEqual(Array(12).fill(401));
    expect.soft(statuses(unknown)).toEqual(Array(12).fill(401));
    expect((await detail(w, u.id)).failed_attempts).toBe(12);
  });

  it("finding 2: the account locks at the policy's threshold (5) under 8 concurrent guesses", async () => {
    const strict = await World.create("concurrency-lockout", {
      policy: {
        ...MATRIX_POLICY,
        account_protection: { lockout_attempts: 5, lockout_window: 15, lockout_duration: 15 },
      },
    });
    const u = await strict.user({ label: "locked-out" });

    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => signIn(i, u.username, "Wrong-Passw0rd!x")));

    expect.soft(statuses(rs)).toEqual(Array(8).fill(401));
    const after = await detail(strict, u.id);
    expect(after.status).toBe("locked");
    expect(after.failed_attempts).toBeGreaterThanOrEqual(5);
    expect((await signIn(0, u.username, u.password)).status).toBe(401);
  });

  it("finding 2: 20 concurrent correct sign-ins all succeed", async () => {
    const u = await w.user({ label: "popular" });

    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(i, u.username, u.password)));

    expect(statuses(rs)).toEqual(Array(20).fill(200));
  });
});

describe("finding 3: a 2FA challenge never answers 409 and holds its limit of 5 wrong codes", {
  timeout: 120_000,
}, () => {
  async function challenged(): Promise<{ user: WorldUser; challenge: string; backup: string }> {
    const user = await w.user({ label: "second-factor" });
    await w.enableTwoFactor(user, await w.mint(user));
    const first = await call("POST", "/api/auth/login", {
      body: { username: user.username, password: user.password },
      ip: uniqueIp(),
    });
    expect(first.body.data.two_factor_required).toBe(true);
    const backup = user.twoFactor.backupCodes[0];
    if (!backup) throw new Error("no backup code");
    return { user, challenge: first.body.data.challenge_token, backup };
  }
  const answer = (challenge_token: string, code: string) =>
    call("POST", "/api/auth/login/2fa", { body: { challenge_token, code }, ip: uniqueIp() });

  it("finding 3: 12 concurrent wrong codes on one challenge: 12× 401, then a valid backup code is refused", async () => {
    const { user, challenge, backup } = await challenged();
    const wrong = [
      "000000",
      "111111",
      "222222",
      "333333",
      "444444",
      "555555",
      "666666",
      "777777",
      "888888",
      "999999",
      "ZZZZZ-ZZZZZ",
      "YYYYY-YYYYY",
    ];

    const rs = await Promise.all(wrong.map((code) => answer(challenge, code)));

    expect.soft(statuses(rs)).toEqual(Array(12).fill(401));
    expect.soft((await answer(challenge, backup)).status, "a valid backup code after 12 wrong ones").toBe(401);
    expect((await detail(w, user.id)).failed_attempts).toBeGreaterThanOrEqual(5);
  });

  it("refuses a valid backup code after 5 wrong codes in a row (the limit, one at a time)", async () => {
    const { challenge, backup } = await challenged();
    for (const code of ["000000", "111111", "222222", "333333", "444444"]) {
      expect((await answer(challenge, code)).status).toBe(401);
    }
    expect((await answer(challenge, backup)).status).toBe(401);
  });
});

describe("rate-limit windows", { timeout: 120_000 }, () => {
  it("lets exactly the class's limit through when 15 requests of one tenant arrive at once (auth: 10 a minute)", async () => {
    const t = await World.create("concurrency-rate");
    await awayFromMinuteBoundary();
    const from = minute();

    const rs = await Promise.all(
      Array.from({ length: 15 }, () => call("GET", "/api/auth/me", { token: t.admin.token, ip: uniqueIp() })),
    );

    const windows = minute() - from + 1;
    expect(rs.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expectPassed(count(rs, 200), 15, 10, windows);
  });

  it("lets exactly an API key's own limit through (rate_limit 7) and counts every accepted use", async () => {
    const key = await w.make("POST", `${BASE}/api-keys/generate`, {
      body: { name: w.name("limited"), scope: ["users:read"], rate_limit: 7 },
    });
    expect(key.status).toBe(201);
    await awayFromMinuteBoundary();
    const from = minute();

    const rs = await Promise.all(
      Array.from({ length: 12 }, () =>
        call("GET", `${BASE}/users`, { apiKey: key.body.api_key.full_key, ip: uniqueIp() }),
      ),
    );

    const windows = minute() - from + 1;
    expectPassed(count(rs, 200), 12, 7, windows);
    expect(count(rs, 200) + count(rs, 429)).toBe(12);
    const listed = await w.make("GET", `${BASE}/api-keys`);
    const mine = listed.body.api_keys.find((k: { id: number }) => k.id === key.body.api_key.id);
    // Every request that authenticated was a use, whether the limiter then let it through or not.
    expect(mine.usage_count).toBe(12);
  });
});

describe("settings documents: no accepted write is lost", { timeout: 120_000 }, () => {
  it("keeps every accepted change of 8 concurrent authentication-policy updates (distinct fields)", async () => {
    const t = await World.create("concurrency-policy");
    const changes: [string, string, number | boolean][] = [
      ["password_policy", "min_length", 11],
      ["password_policy", "expiry_days", 77],
      ["account_protection", "captcha_threshold", 7],
      ["account_protection", "lockout_duration", 21],
      ["session_settings", "idle_timeout", 33],
      ["session_settings", "remember_me_days", 29],
      ["two_factor", "backup_codes_count", 12],
      ["brute_force_protection", "window_minutes", 61],
    ];

    const rs = await Promise.all(
      changes.map(([section, field, value]) =>
        call("POST", `${BASE}/authentication/update`, {
          token: t.admin.token,
          body: { [section]: { [field]: value } },
          ip: uniqueIp(),
        }),
      ),
    );

    expect(
      rs.every((r) => r.status === 200 || r.status === 409),
      statuses(rs).join(","),
    ).toBe(true);
    const policy = (await t.make("GET", `${BASE}/authentication/settings`)).body;
    changes.forEach(([section, field, value], i) => {
      if (rs[i]?.status === 200) expect(policy[section][field], `${section}.${field}`).toBe(value);
    });
  });

  it("keeps every accepted address of 10 concurrent whitelist additions, each audited once", async () => {
    const t = await World.create("concurrency-whitelist");
    await t.stableGateway();
    const addresses = Array.from({ length: 10 }, () => t.address());

    const rs = await Promise.all(
      addresses.map((ip_address) =>
        call("POST", `${BASE}/firewall/whitelist/manage`, {
          token: t.admin.token,
          body: { action: "add", ip_address },
          ip: uniqueIp(),
        }),
      ),
    );

    expect(
      rs.every((r) => r.status === 200 || r.status === 409),
      statuses(rs).join(","),
    ).toBe(true);
    const accepted = addresses.filter((_, i) => rs[i]?.status === 200);
    const status = (await t.make("GET", `${BASE}/firewall/status`)).body;
    const listed = JSON.stringify(status);
    for (const a of addresses) expect(listed.includes(a), a).toBe(accepted.includes(a));
    const versions = rs.filter((r) => r.status === 200).map((r) => r.body.config_version);
    expect(new Set(versions).size, "config_version of each accepted write").toBe(versions.length);
    // The audit trail's head is a versioned item too: one record per accepted change, none lost.
    const trail = await t.make("GET", `${BASE}/audit/logs`, {
      query: { event_type: "firewall_whitelist_changed", status: "success", limit: "100" },
    });
    expect(trail.body.total).toBe(accepted.length);
  });

  it("keeps every accepted rule of 10 concurrent rule additions, with distinct ids", async () => {
    const t = await World.create("concurrency-rules");
    const names = Array.from({ length: 10 }, () => t.name("race-rule"));

    const rs = await Promise.all(
      names.map((name, i) =>
        call("POST", `${BASE}/firewall/rules/add`, {
          token: t.admin.token,
          body: { name, chain: "INPUT", protocol: "TCP", port: String(45000 + i), action: "ACCEPT" },
          ip: uniqueIp(),
        }),
      ),
    );

    expect(
      rs.every((r) => r.status === 201 || r.status === 409),
      statuses(rs).join(","),
    ).toBe(true);
    const accepted = rs.filter((r) => r.status === 201);
    const ids = accepted.map((r) => r.body.rule_id);
    expect(new Set(ids).size).toBe(ids.length);
    const rules = (await t.make("GET", `${BASE}/firewall/rules`)).body.rules as { id: number; name: string }[];
    expect(rules.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it("keeps every accepted change of 8 concurrent SSH settings updates (distinct fields) and of 6 key uploads", async () => {
    const t = await World.create("concurrency-ssh");
    const changes: Record<string, unknown>[] = [
      { session_timeout: 17 },
      { max_sessions_per_user: 4 },
      { max_auth_attempts: 2 },
      { banner_message: `race ${t.next()}` },
      { compression: true },
      { require_tty: true },
      { restricted_shell: true },
      { allowed_commands: ["uptime", "df"] },
    ];
    const keys = Array.from({ length: 6 }, () => newSshPublicKey(t.name("race-key")));

    const [updates, uploads] = await Promise.all([
      Promise.all(
        changes.map((body) => call("POST", `${BASE}/ssh/update`, { token: t.admin.token, body, ip: uniqueIp() })),
      ),
      Promise.all(
        keys.map((k) =>
          call("POST", `${BASE}/ssh/upload-key`, {
            token: t.admin.token,
            ip: uniqueIp(),
            ...multipart([
              { name: "file", value: k.line, filename: "id.pub" },
              { name: "username", value: "ops01" },
            ]),
          }),
        ),
      ),
    ]);

    for (const r of [...updates, ...uploads]) expect([200, 201, 409], r.text).toContain(r.status);
    const settings = (await t.make("GET", `${BASE}/ssh/settings`)).body;
    const text = JSON.stringify(settings);
    changes.forEach((c, i) => {
      if (updates[i]?.status !== 200) return;
      const [field, value] = Object.entries(c)[0] ?? [];
      expect(JSON.stringify(settings.settings?.[field as string] ?? settings[field as string]), String(field)).toBe(
        JSON.stringify(value),
      );
    });
    keys.forEach((k, i) => {
      const ok = [200, 201].includes(uploads[i]?.status ?? 0);
      expect(text.includes(k.fingerprint), k.fingerprint).toBe(ok);
    });
  });

  it("gives 10 concurrent API keys distinct ids and prefixes", async () => {
    const rs = await Promise.all(
      Array.from({ length: 10 }, () =>
        call("POST", `${BASE}/api-keys/generate`, {
          token: w.admin.token,
          body: { name: w.name("race-key"), scope: ["users:read"] },
          ip: uniqueIp(),
        }),
      ),
    );

    expect(statuses(rs)).toEqual(Array(10).fill(201));
    expect(new Set(rs.map((r) => r.body.api_key.id)).size).toBe(10);
    expect(new Set(rs.map((r) => r.body.api_key.key_prefix)).size).toBe(10);
  });
});
