/**
 * Token attacks on an authenticated route of every surface that has one (and on both
 * who-am-I routes): unsigned tokens, HMAC signed with the public key, keys the platform never
 * published (by kid, jku/x5u, embedded jwk), expiry, not-before, issuer and audience, claims
 * changed under a kept signature, and tokens of deleted, locked and signed-out users. Each is a
 * 401. A token built the same way with the platform's key and honest claims is accepted, so every
 * 401 is the attack's doing. node:crypto only (test/helpers/jwt.ts).
 */
import { createPublicKey } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "#test/helpers/api.ts";
import {
  attackerKey,
  claimsFor,
  decodeJwt,
  type Json,
  platformKey,
  signEs256,
  signHs256,
  tampered,
  unsigned,
} from "#test/helpers/jwt.ts";
import { loadCatalogue } from "#test/helpers/route-catalogue.ts";
import { uniqueIp, World } from "#test/helpers/world.ts";

let w: World;
let other: World;
/** One authenticated GET route per surface, and the who-am-I routes. */
let targets: string[];
let kid: string;
let publicJwk: Json;
let honest: Json;

beforeAll(async () => {
  [w, other] = await Promise.all([World.create("tokens"), World.create("tokens-other")]);
  const routes = await loadCatalogue();
  const perSurface = new Map<string, string>();
  for (const r of routes) {
    if (
      r.row.method === "GET" &&
      r.row.permission !== null &&
      r.pathParams.length === 0 &&
      !perSurface.has(r.row.surface)
    ) {
      perSurface.set(r.row.surface, r.row.path);
    }
  }
  targets = [...new Set([...perSurface.values(), "/api/auth/me", "/api/v1/auth/me"])];
  const jwks = await call("GET", "/.well-known/jwks.json", { ip: uniqueIp() });
  publicJwk = jwks.body.keys[0];
  kid = String(publicJwk.kid);
  honest = claimsFor({ tenantId: w.tenantId, userId: w.admin.id, role: "admin" });
  console.log(`Token attacks: ${targets.length} routes (${targets.join(", ")})`);
});

const header = (extra: Json = {}): Json => ({ alg: "ES256", typ: "JWT", kid, ...extra });

/** Every target route's answer to the token. */
async function answers(token: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const path of targets) out[path] = (await call("GET", path, { token, ip: uniqueIp() })).status;
  return out;
}

const all = (status: number) => Object.fromEntries(targets.map((p) => [p, status]));

describe("the control: a token built here with the platform's key and honest claims", { timeout: 60_000 }, () => {
  it("is accepted on every target route", async () => {
    expect(await answers(signEs256(header(), honest, platformKey()))).toEqual(all(200));
  });
});

describe("forged signatures and keys", { timeout: 60_000 }, () => {
  const cases: [string, () => string][] = [
    ["alg none", () => unsigned({ alg: "none", typ: "JWT" }, honest)],
    ["alg None", () => unsigned({ alg: "None", typ: "JWT", kid }, honest)],
    [
      "alg none with a real signature kept",
      () => {
        const real = signEs256(header(), honest, platformKey()).split(".")[2];
        return `${unsigned({ alg: "none", kid }, honest)}${real}`;
      },
    ],
    ["signature stripped", () => unsigned(header(), honest)],
    [
      "an all-zero ES256 signature (CVE-2022-21449)",
      () => `${unsigned(header(), honest)}${Buffer.alloc(64).toString("base64url")}`,
    ],
    [
      "HS256 keyed with the public key's PEM",
      () =>
        signHs256(
          { alg: "HS256", typ: "JWT", kid },
          honest,
          createPublicKey({ key: publicJwk as never, format: "jwk" }).export({ format: "pem", type: "spki" }),
        ),
    ],
    [
      "HS256 keyed with the JWK as published",
      () => signHs256({ alg: "HS256", typ: "JWT", kid }, honest, JSON.stringify(publicJwk)),
    ],
    [
      "HS256 keyed with an empty secret and a kid pointing at /dev/null",
      () => signHs256({ alg: "HS256", kid: "../../../../dev/null" }, honest, ""),
    ],
    [
      "header claims RS256 over an ES256 signature",
      () => {
        const [, p, s] = signEs256(header(), honest, platformKey()).split(".");
        return `${Buffer.from(JSON.stringify(header({ alg: "RS256" }))).toString("base64url")}.${p}.${s}`;
      },
    ],
    [
      "a foreign key under its own kid",
      () => {
        const k = attackerKey();
        return signEs256(header({ kid: k.kid }), honest, k.privateKey);
      },
    ],
    ["a foreign key under the platform's kid", () => signEs256(header(), honest, attackerKey().privateKey)],
    [
      "a jku header pointing at the attacker's key set",
      () => {
        const k = attackerKey();
        return signEs256(
          header({ kid: k.kid, jku: "https://203.0.113.9/.well-known/jwks.json" }),
          honest,
          k.privateKey,
        );
      },
    ],
    [
      "an x5u header pointing at the attacker's certificate",
      () => {
        const k = attackerKey();
        return signEs256(header({ kid: k.kid, x5u: "https://203.0.113.9/cert.pem" }), honest, k.privateKey);
      },
    ],
    [
      "the attacker's key embedded as jwk",
      () => {
        const k = attackerKey();
        return signEs256(header({ kid: k.kid, jwk: k.jwk }), honest, k.privateKey);
      },
    ],
    [
      "the attacker's key embedded as jwk under the platform's kid",
      () => {
        const k = attackerKey(kid);
        return signEs256(header({ jwk: k.jwk }), honest, k.privateKey);
      },
    ],
  ];
  it.each(cases)("refuses %s (401)", async (_name, forge) => {
    expect(await answers(forge())).toEqual(all(401));
  });
});

describe("verification stays inside the process", { timeout: 60_000 }, () => {
  it("refuses a token with a kid it does not know without any outbound request (the key set is preloaded)", async () => {
    const outbound: string[] = [];
    const dynamo = new URL(process.env.DYNAMODB_ENDPOINT ?? "http://127.0.0.1").hostname;
    const seen = (m: unknown) => {
      const host = (m as { request?: { host?: string } }).request?.host ?? "?";
      if (host !== dynamo && host !== "127.0.0.1" && host !== "localhost") outbound.push(host);
    };
    subscribe("http.client.request.start", seen);
    try {
      const k = attackerKey();
      const started = Date.now();
      expect(await answers(signEs256(header({ kid: k.kid }), honest, k.privateKey))).toEqual(all(401));
      // shared/auth/tokens.ts: "Never fetched: the key set is cached". An unknown kid makes
      // aws-jwt-verify fetch its jwksUri: an unauthenticated request then waits on the network.
      expect(outbound, `outbound requests while verifying (${Date.now() - started} ms)`).toEqual([]);
    } finally {
      unsubscribe("http.client.request.start", seen);
    }
  });
});

describe("claims the platform's key signed but the platform must not accept", { timeout: 60_000 }, () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Json][] = [
    ["expired a minute ago", () => ({ ...honest, iat: now() - 3600, exp: now() - 60 })],
    ["not valid before an hour from now (nbf)", () => ({ ...honest, nbf: now() + 3600 })],
    ["issued by someone else (iss)", () => ({ ...honest, iss: "https://attacker.example" })],
    ["for another audience (aud)", () => ({ ...honest, aud: "some-other-api" })],
    [
      "without an expiry",
      () => {
        const { exp: _, ...rest } = honest;
        return rest;
      },
    ],
  ];
  it.each(cases)("refuses a token %s (401)", async (_name, claims) => {
    expect(
      await answers(signEs256(header(), { ...claims(), jti: `${w.admin.id}.${crypto.randomUUID()}` }, platformKey())),
    ).toEqual(all(401));
  });
});

describe("a real token with its claims changed and its signature kept", { timeout: 60_000 }, () => {
  it.each([
    ["tid (another tenant)", () => ({ tid: other.tenantId })],
    ["sub (the administrator)", () => ({ sub: String(w.admin.id) })],
    ["role", () => ({ role: "viewer" })],
    ["exp (a year later)", () => ({ exp: Math.floor(Date.now() / 1000) + 365 * 86_400 })],
  ] as const)("refuses a change of %s (401)", async (_name, changes) => {
    const real = await w.mint(await w.loginUser());
    expect(Object.values(await answers(real)), "the token untouched is accepted (a 403 is its role's)").not.toContain(
      401,
    );
    expect(await answers(tampered(real, changes()))).toEqual(all(401));
  });

  it("refuses a restricted token whose restriction (rst) was removed (401)", async () => {
    const u = await w.user({ label: "must-change" });
    await w.make("POST", "/cloud-integration/security/users/reset-password", {
      body: { user_id: u.id, new_password: u.password, force_change: true },
    });
    const login = await call("POST", "/api/v1/auth/token", {
      body: { username: u.username, password: u.password },
      ip: uniqueIp(),
    });
    expect(login.body.restricted_to).toBe("password_change");
    const { rst: _, ...unrestricted } = decodeJwt(login.body.access_token).payload;
    const [h, , s] = String(login.body.access_token).split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify(unrestricted)).toString("base64url")}.${s}`;

    expect(await answers(forged)).toEqual(all(401));
  });
});

describe("real tokens whose holder may no longer use them", { timeout: 60_000 }, () => {
  it("refuses a deleted user's token (401)", async () => {
    const u = await w.user({ label: "deleted" });
    const token = await w.login(u);
    expect((await call("GET", "/api/v1/auth/me", { token, ip: uniqueIp() })).status).toBe(200);
    expect((await w.make("POST", "/cloud-integration/security/users/delete", { body: { user_id: u.id } })).status).toBe(
      200,
    );

    expect(await answers(token)).toEqual(all(401));
  });

  it("refuses a locked user's token (401)", async () => {
    const u = await w.user({ label: "locked" });
    const token = await w.login(u);
    const lock = await w.make("POST", "/cloud-integration/security/users/lock", {
      body: { user_id: u.id, action: "lock" },
    });
    expect(lock.status).toBe(200);

    expect(await answers(token)).toEqual(all(401));
  });

  it("refuses a token after its sign-out (401)", async () => {
    const token = await w.login(await w.loginUser());
    expect((await call("POST", "/api/auth/logout", { token, ip: uniqueIp() })).status).toBe(200);

    expect(await answers(token)).toEqual(all(401));
  });
});
