/**
 * The tenant ids a deployment names for platform-account scans (WARDEN_PLATFORM_SCAN_TENANTS, from
 * `-c platformScanTenants`) are reserved: sign-up never creates one, so an id named before its
 * tenant exists (a typo, a tenant to be created later) cannot be claimed by whoever first signs up
 * with a matching organization name. The refusal is a 409 that only says the name is not
 * available, writes nothing, and is logged for the operators. A listed tenant that already exists
 * keeps working; the deployment's operator (local mode's bootstrap) may still create a listed id.
 */
import { randomUUID } from "node:crypto";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { signUp } from "#shared/identity/sign-up.ts";
import { log } from "#shared/kit/log.ts";
import { PLATFORM_SCAN_ENV } from "#shared/posture/platform.ts";
import { ProvidersView } from "#shared/posture/views.ts";
import { db, tableName } from "#shared/table/client.ts";
import { getTenant } from "#shared/tenancy/tenants.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

const saved = process.env[PLATFORM_SCAN_ENV];
const PASSWORD = "Str0ng!Passphrase#2026";
type Tenant = Awaited<ReturnType<typeof newTenant>>;
let listed: Tenant;

const signUpAs = (organization: string, username = `user-${randomUUID().slice(0, 8)}`) =>
  call("POST", "/api/auth/signup", {
    body: { organization, username, email: `${username}@example.com`, password: PASSWORD },
    ip: freshIp(),
  });

/** Every stored item whose key or a value names `text` as a whole id (a full table Scan: tests only). */
async function itemsMentioning(text: string): Promise<Record<string, unknown>[]> {
  const whole = new RegExp(`(^|[^a-z0-9-])${text}([^a-z0-9-]|$)`);
  const found: Record<string, unknown>[] = [];
  let from: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: from }));
    found.push(...(page.Items ?? []).filter((item) => whole.test(JSON.stringify(item))));
    from = page.LastEvaluatedKey;
  } while (from);
  return found;
}

let listedEntry: string;
/** The deployment names `acme-ops` (no tenant holds it) and a tenant that exists, as `<id>@<created_at>`. */
const nameBoth = () => {
  process.env[PLATFORM_SCAN_ENV] = `acme-ops@2026-11-30T09:00:00.000Z, ${listedEntry}`;
};
beforeAll(async () => {
  // Created before the operators name it, as a tenant they mean to list must be.
  listed = await newTenant("platform-ops");
  listedEntry = `${listed.tenantId}@${(await getTenant(listed.tenantId, true))?.createdAt}`;
  nameBoth();
});
afterEach(() => {
  nameBoth();
  vi.restoreAllMocks();
});
afterAll(() => {
  if (saved === undefined) delete process.env[PLATFORM_SCAN_ENV];
  else process.env[PLATFORM_SCAN_ENV] = saved;
});

describe("sign-up with an organization whose id the deployment names for platform scans", () => {
  it("is refused with a 409 that only says the name is not available, and stores nothing", async () => {
    const warn = vi.spyOn(log, "warn");
    const username = `squatter-${randomUUID().slice(0, 8)}`;

    const res = await signUpAs("Acme Ops", username);

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("CONFLICT");
    expect(res.body.error.message).toBe("body.organization: this organization name is not available; choose another");
    expect(res.text).not.toMatch(/platform|reserved|scan/i);
    // No tenant, guard, user, login name or audit record: nothing under the id, nothing naming the user.
    expect(await getTenant("acme-ops", true)).toBeUndefined();
    expect(await itemsMentioning("acme-ops")).toEqual([]);
    expect(await itemsMentioning(username)).toEqual([]);
    expect(
      (await call("POST", "/api/auth/login", { body: { username, password: PASSWORD }, ip: freshIp() })).status,
    ).toBe(401);
    // The operators see why in the function's log.
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("reserved for platform-account scans"), {
      tenantId: "acme-ops",
    });
  });

  it("is refused for every spelling that gives the same id", async () => {
    for (const organization of ["ACME ops", "  acme_ops!", "Acmé -- Ops", "acme-ops"]) {
      const res = await signUpAs(organization);
      expect(res.status, organization).toBe(409);
    }
    expect(await itemsMentioning("acme-ops")).toEqual([]);
  });

  it("is refused for a listed tenant that already exists too (its name is not available either way)", async () => {
    const res = await signUpAs(listed.organization);

    expect(res.status).toBe(409);
    expect((await getTenant(listed.tenantId, true))?.name).toBe(listed.organization);
  });
});

describe("sign-up of any other organization", () => {
  it("creates the tenant (201), while the list names other ids", async () => {
    const organization = `Acme Ops West ${randomUUID().slice(0, 6)}`;

    const res = await signUpAs(organization);

    expect(res.status, res.text).toBe(201);
    expect(await getTenant(res.body.data.organization.id, true)).toMatchObject({ name: organization });
  });

  it("refuses an id the list names bare too, and creates it once the deployment no longer names it", async () => {
    const id = `acme-ops-${randomUUID().slice(0, 8)}`;
    process.env[PLATFORM_SCAN_ENV] = id;
    expect((await signUpAs(id)).status).toBe(409);

    process.env[PLATFORM_SCAN_ENV] = "";
    const res = await signUpAs(id);

    expect(res.status, res.text).toBe(201);
    expect(res.body.data.organization.id).toBe(id);
  });
});

describe("a listed tenant that already exists", () => {
  it("keeps signing in, and is offered the platform scan", async () => {
    const login = await call("POST", "/api/auth/login", {
      body: { username: listed.username, password: listed.password },
      ip: freshIp(),
    });
    expect(login.status, login.text).toBe(200);

    const providers = ProvidersView.parse((await call("GET", "/api/v1/scan/providers", { token: listed.token })).body);
    expect(JSON.stringify(providers)).toContain('"platform"');
  });
});

describe("the deployment's operator", () => {
  it("may create a listed id (local mode's bootstrap of its own tenant)", async () => {
    const id = `operator-ops-${randomUUID().slice(0, 8)}`;
    process.env[PLATFORM_SCAN_ENV] = id;
    const input = { organization: id, username: `op-${id}`, email: `op-${id}@example.com`, password: PASSWORD };
    await expect(signUp(input)).rejects.toThrow("not available");

    const created = await signUp(input, undefined, { byOperator: true });

    expect(created.user.tenantId).toBe(id);
    expect(await getTenant(id, true)).toMatchObject({ id });
  });
});
