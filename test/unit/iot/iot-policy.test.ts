/**
 * The one gateway IoT policy is a template: thing policy variables confine every connected gateway
 * to its own client id, its own three named shadows (exactly the topics the edge uses), its own
 * tenant's events topic and its own keys topic — nothing else, and no wildcard.
 */
import { describe, expect, it } from "vitest";
import { eventsTopic, renderGatewayPolicy, thingNameOf } from "#shared/iot/policy.ts";

const policy = renderGatewayPolicy({ partition: "aws", region: "eu-west-1", accountId: "123456789012" });
const statement = (action: string) => policy.Statement.find((s) => s.Action === action);
const arn = "arn:aws:iot:eu-west-1:123456789012";
const thing = `\${iot:Connection.Thing.ThingName}`;
const tenant = `\${iot:Connection.Thing.Attributes[tenant]}`;
const shadow = (name: string, suffix: string) => `$aws/things/${thing}/shadow/name/${name}/${suffix}`;

describe("renderGatewayPolicy", () => {
  it("names the thing warden-<tenant>-<id> and its events topic under its tenant", () => {
    expect(thingNameOf("acme", 7)).toBe("warden-acme-7");
    expect(eventsTopic("acme", "warden-acme-7")).toBe("warden/acme/warden-acme-7/events");
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
