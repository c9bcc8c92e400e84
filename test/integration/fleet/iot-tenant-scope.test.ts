/**
 * IoT scoped to the tenant (issue 17 item 1), against DynamoDB Local and the local IoT Core: a
 * route's thing calls run under its tenant session, and a session of tenant A can neither read,
 * update nor delete tenant B's shadows, nor deregister B's thing — refused by the session fence in
 * the adapters (what IAM does in AWS with `thing/warden_${aws:PrincipalTag/tenant}_*`) and, for a
 * request that reaches the local data plane with A's session token anyway, by the data plane.
 */
import { GetThingShadowCommand, IoTDataPlaneClient, UpdateThingShadowCommand } from "@aws-sdk/client-iot-data-plane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIot, usePlatformWithLocalIot } from "#infra/local/iot/index.ts";

// Shared code reads its environment once at import: the local IoT Core must be up and named first.
const iot = await startLocalIot();
await usePlatformWithLocalIot(iot);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { withTableScope } = await import("#shared/table/client.ts");
const { withIotScope } = await import("#shared/iot/session.ts");
const { getShadow, updateDesired, deleteShadow } = await import("#shared/iot/shadows.ts");
const { iotRegistry } = await import("#shared/iot/registry.ts");
const { enterTenantScope } = await import("#shared/tenancy/credentials.ts");
const { localStsIssuer } = await import("#shared/tenancy/adapters/local-sts.ts");

type Tenant = Awaited<ReturnType<typeof newTenant>>;
let a: Tenant;
let b: Tenant;
const things: Record<"a" | "b", string> = { a: "", b: "" };
const BASE = "/cloud-integration/security/gateways";

/** Runs `fn` as a route of `tenantId` with shadow write and deregister access would, after the kit's guard. */
const asTenantRoute = <T>(tenantId: string, fn: () => Promise<T>) =>
  withTableScope(() =>
    withIotScope(async () => {
      await enterTenantScope(tenantId, { table: "RW", iotShadows: true, iotRegistry: "deregister" });
      return fn();
    }),
  );

const register = async (t: Tenant, name: string) => {
  const res = await call("POST", BASE, { token: t.token, body: { name } });
  expect(res.status).toBe(201);
  return res.body.gateway.thing_name as string;
};

beforeAll(async () => {
  [a, b] = await Promise.all([newTenant("iot-a"), newTenant("iot-b")]);
  things.a = await register(a, "A edge");
  things.b = await register(b, "B edge");
});

afterAll(async () => {
  await iot.stop();
});

describe("thing names", () => {
  it("registers things as warden_<tenant>_<id>, inside the tenant's IAM pattern", () => {
    expect(things.a).toMatch(new RegExp(`^warden_${a.tenantId}_[1-9]\\d*$`));
    expect(things.b).toMatch(new RegExp(`^warden_${b.tenantId}_[1-9]\\d*$`));
  });
});

describe("a tenant session on the IoT adapters", () => {
  it("reads and updates its own tenant's shadow", async () => {
    const shadow = await asTenantRoute(a.tenantId, async () => {
      await updateDesired(things.a, "firewall", { note: "a-owned" });
      return getShadow(things.a, "firewall");
    });
    expect(shadow?.desired).toMatchObject({ note: "a-owned" });
  });

  it("is refused another tenant's shadow: read, update and delete, and B's shadow is unchanged", async () => {
    const before = iot.shadows.get(things.b, "firewall");

    await expect(asTenantRoute(a.tenantId, () => getShadow(things.b, "firewall"))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
    await expect(
      asTenantRoute(a.tenantId, () => updateDesired(things.b, "firewall", { note: "from-a" })),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expect(asTenantRoute(a.tenantId, () => deleteShadow(things.b, "firewall"))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });

    expect(iot.shadows.get(things.b, "firewall")).toEqual(before);
  });

  it("is refused deregistering another tenant's thing", async () => {
    const registry = await iotRegistry();
    await expect(
      asTenantRoute(a.tenantId, () =>
        registry.deprovision({ thingName: things.b, certificateId: "x", certificateArn: "x", policyName: "x" }),
      ),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });

  it("is refused a thing of the old naming, even one that reads as its own tenant's", async () => {
    await expect(
      asTenantRoute(a.tenantId, () => getShadow(`warden-${a.tenantId}-1`, "firewall")),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });
});

describe("the local data plane with a tenant session token", () => {
  const clientOf = async (tenantId: string) => {
    const credentials = await localStsIssuer.issue({ tenantId, sessionPolicy: "{}", durationSeconds: 900 });
    return new IoTDataPlaneClient({ region: "eu-west-1", endpoint: iot.dataPlaneEndpoint, credentials });
  };

  it("refuses tenant A's session on tenant B's shadow (403 AccessDeniedException), read and update", async () => {
    const client = await clientOf(a.tenantId);
    await expect(
      client.send(new GetThingShadowCommand({ thingName: things.b, shadowName: "firewall" })),
    ).rejects.toMatchObject({ name: "AccessDeniedException", $metadata: { httpStatusCode: 403 } });
    const payload = Buffer.from(JSON.stringify({ state: { desired: { note: "from-a" } } }));
    await expect(
      client.send(new UpdateThingShadowCommand({ thingName: things.b, shadowName: "firewall", payload })),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });

  it("serves tenant B's session its own shadow", async () => {
    const client = await clientOf(b.tenantId);
    const out = await client.send(new GetThingShadowCommand({ thingName: things.b, shadowName: "firewall" }));
    expect(JSON.parse(Buffer.from(out.payload ?? new Uint8Array()).toString("utf8"))).toHaveProperty("version");
  });
});
