/**
 * The one gateway IoT policy is a template: thing policy variables confine every connected gateway
 * to its own client id, its own three named shadows (exactly the topics the edge uses), its own
 * tenant's events topic and its own keys topic — nothing else, and no wildcard.
 */
import { describe, expect, it } from "vitest";
import {
  eventsTopic,
  HEALTH_PROBE_THING,
  isTenantThing,
  renderGatewayPolicy,
  tenantThingPattern,
  thingActions,
  thingNameOf,
} from "#shared/iot/policy.ts";
import { tenantSlug } from "#shared/tenancy/tenants.ts";

const policy = renderGatewayPolicy({ partition: "aws", region: "eu-west-1", accountId: "123456789012" });
const statement = (action: string) => policy.Statement.find((s) => s.Action === action);
const arn = "arn:aws:iot:eu-west-1:123456789012";
const thing = `\${iot:Connection.Thing.ThingName}`;
const tenant = `\${iot:Connection.Thing.Attributes[tenant]}`;
const shadow = (name: string, suffix: string) => `$aws/things/${thing}/shadow/name/${name}/${suffix}`;

describe("renderGatewayPolicy", () => {
  it("names the thing warden_<tenant>_<id> and its events topic under its tenant", () => {
    expect(thingNameOf("acme", 7)).toBe("warden_acme_7");
    expect(eventsTopic("acme", "warden_acme_7")).toBe("warden/acme/warden_acme_7/events");
  });

  it("allows connecting only as the thing's own name, and only with a certificate attached to a thing", () => {
    expect(statement("iot:Connect")).toEqual({
      Effect: "Allow",
      Action: "iot:Connect",
      Resource: [`${arn}:client/${thing}`],
      Condition: { Bool: { "iot:Connection.Thing.IsAttached": "true" } },
    });
  });

  it("allows publishing exactly the shadow requests the edge sends and its tenant's events topic", () => {
    expect(statement("iot:Publish")?.Resource).toEqual([
      `${arn}:topic/${shadow("firewall", "get")}`,
      `${arn}:topic/${shadow("firewall", "update")}`,
      `${arn}:topic/${shadow("ssh", "get")}`,
      `${arn}:topic/${shadow("ssh", "update")}`,
      `${arn}:topic/${shadow("certificates", "get")}`,
      `${arn}:topic/${shadow("certificates", "update")}`,
      `${arn}:topic/warden/${tenant}/${thing}/events`,
    ]);
  });

  it("allows receiving and subscribing to exactly the shadow replies the edge listens to and its own keys topic", () => {
    const replies = ["get/accepted", "get/rejected", "update/documents", "update/delta", "update/rejected"];
    const topics = [
      ...["firewall", "ssh", "certificates"].flatMap((s) => replies.map((r) => shadow(s, r))),
      `warden/${tenant}/${thing}/keys`,
    ];
    expect(statement("iot:Receive")?.Resource).toEqual(topics.map((t) => `${arn}:topic/${t}`));
    expect(statement("iot:Subscribe")?.Resource).toEqual(topics.map((t) => `${arn}:topicfilter/${t}`));
  });

  it("has only Allow statements for the four actions, every resource names the thing, no wildcard", () => {
    expect(policy.Version).toBe("2012-10-17");
    expect(policy.Statement.map((s) => s.Action).sort()).toEqual([
      "iot:Connect",
      "iot:Publish",
      "iot:Receive",
      "iot:Subscribe",
    ]);
    for (const s of policy.Statement) {
      expect(s.Effect).toBe("Allow");
      for (const r of s.Resource) {
        expect(r.startsWith(`${arn}:`)).toBe(true);
        expect(r).toContain(thing);
        expect(r).not.toContain("*");
        expect(r).not.toContain("+");
        expect(r).not.toContain("#");
      }
    }
    // Only the connect statement is conditional; the variables resolve only for an attached thing.
    expect(policy.Statement.filter((s) => s.Condition).map((s) => s.Action)).toEqual(["iot:Connect"]);
  });

  it("uses no variable other than the thing name and its tenant attribute", () => {
    const variables = new Set(JSON.stringify(policy).match(/\$\{[^}]*\}/g));
    expect([...variables].sort()).toEqual([tenant, thing].sort());
  });
});

/** IAM's StringLike / ARN glob: `*` any run of characters, `?` one character. */
const globMatches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(value);

describe("the tenant's thing pattern (tenant-access role: thing/warden_<tag tenant>_*)", () => {
  it("matches the tenant's own things and no thing of a tenant whose id extends it", () => {
    const acme = tenantThingPattern("acme");
    expect(acme).toBe("warden_acme_*");
    expect(globMatches(acme, thingNameOf("acme", 7))).toBe(true);
    expect(globMatches(acme, thingNameOf("acme-corp", 7))).toBe(false);
    expect(globMatches(tenantThingPattern("acme-corp"), thingNameOf("acme", 7))).toBe(false);
    // The old naming had exactly this hole: warden-acme-* matched acme-corp's things.
    expect(globMatches("warden-acme-*", "warden-acme-corp-7")).toBe(true);
  });

  it("relies on a separator tenant ids cannot contain", () => {
    for (const name of ["Acme_Corp", "a__b", "x_y_z", "under_score inc"]) expect(tenantSlug(name)).not.toContain("_");
  });

  it("agrees with isTenantThing, which never accepts a legacy name or the health probe", () => {
    expect(isTenantThing("acme", "warden_acme_7")).toBe(true);
    expect(isTenantThing("acme", "warden_acme-corp_7")).toBe(false);
    expect(isTenantThing("acme", "warden-acme-7")).toBe(false);
    expect(isTenantThing("acme", "warden_acme_")).toBe(false);
    expect(isTenantThing("health-probe", HEALTH_PROBE_THING)).toBe(false);
  });

  it("grants a route only the thing actions its access declares", () => {
    expect(thingActions({ iotShadowsRead: true })).toEqual(["iot:GetThingShadow"]);
    expect(thingActions({ iotShadows: true }).sort()).toEqual(
      ["iot:DeleteThingShadow", "iot:GetThingShadow", "iot:UpdateThingShadow"].sort(),
    );
    expect(thingActions({ iotRegistry: "deregister" }).sort()).toEqual(["iot:DeleteThing", "iot:DetachThingPrincipal"]);
    expect(thingActions({ iotRegistry: "register" })).toEqual(expect.arrayContaining(["iot:CreateThing"]));
    expect(thingActions({})).toEqual([]);
  });
});
