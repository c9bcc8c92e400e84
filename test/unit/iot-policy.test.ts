/** A gateway's IoT policy grants its own client id, its own two named shadows and its own event topic — nothing else. */
import { describe, expect, it } from "vitest";
import { arnParts, eventsTopic, renderGatewayPolicy, thingNameOf } from "#shared/iot/policy.ts";

const target = {
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
  tenantId: "acme",
  thingName: thingNameOf("acme", 7),
};
const policy = renderGatewayPolicy(target);
const statement = (action: string) => policy.Statement.find((s) => s.Action === action);
const arn = "arn:aws:iot:eu-west-1:123456789012";

describe("renderGatewayPolicy", () => {
  it("names the thing warden-<tenant>-<id> and its events topic under its tenant", () => {
    expect(target.thingName).toBe("warden-acme-7");
    expect(eventsTopic("acme", "warden-acme-7")).toBe("warden/acme/warden-acme-7/events");
  });

  it("allows connecting only as the thing's own client id", () => {
    expect(statement("iot:Connect")?.Resource).toEqual([`${arn}:client/warden-acme-7`]);
  });

  it("allows publish and receive on the thing's firewall and ssh shadows and its events topic only", () => {
    const topics = [
      `${arn}:topic/$aws/things/warden-acme-7/shadow/name/firewall/*`,
      `${arn}:topic/$aws/things/warden-acme-7/shadow/name/ssh/*`,
      `${arn}:topic/warden/acme/warden-acme-7/events`,
    ];
    expect(statement("iot:Publish")?.Resource).toEqual(topics);
    expect(statement("iot:Receive")?.Resource).toEqual(topics);
  });

  it("allows subscribing to the same topics as topic filters", () => {
    expect(statement("iot:Subscribe")?.Resource).toEqual([
      `${arn}:topicfilter/$aws/things/warden-acme-7/shadow/name/firewall/*`,
      `${arn}:topicfilter/$aws/things/warden-acme-7/shadow/name/ssh/*`,
      `${arn}:topicfilter/warden/acme/warden-acme-7/events`,
    ]);
  });

  it("has only Allow statements for the four actions, and no resource reaches past the thing", () => {
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
        expect(r).toContain("warden-acme-7");
        expect(r.replace(/\/\*$/, "")).not.toContain("*");
        expect(r).not.toContain("+");
      }
    }
    expect(JSON.stringify(policy)).not.toContain("warden-acme-70");
  });

  it("takes the region and account from the certificate ARN", () => {
    expect(arnParts("arn:aws:iot:eu-west-1:123456789012:cert/abc")).toEqual({
      partition: "aws",
      region: "eu-west-1",
      accountId: "123456789012",
    });
    expect(() => arnParts("arn:aws:s3:::bucket")).toThrow(/not an IoT ARN/);
  });
});
