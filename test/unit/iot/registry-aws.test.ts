/**
 * The AWS registry adapter's call sequence against a MOCKED IoT client (AWS control planes cannot
 * run here): it attaches the one static gateway policy and never creates or deletes a policy, and a
 * failure part-way undoes exactly what the call did.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { awsIotRegistry, iot } from "#shared/iot/registry-aws.ts";
import { config } from "#shared/kit/config.ts";

const CERT_ARN = "arn:aws:iot:eu-west-1:123456789012:cert/abc123";
const THING = "warden_acme_7";

interface Call {
  command: string;
  input: Record<string, unknown>;
}

/** The mocked IoT client: records every command; `failOn` makes that command throw `error`. */
function mockIot(failOn: Record<string, Error> = {}) {
  const calls: Call[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name.replace(/Command$/, "");
    calls.push({ command: name, input: command.input });
    const error = failOn[name];
    if (error) throw error;
    if (name === "CreateKeysAndCertificate") {
      return {
        certificateArn: CERT_ARN,
        certificateId: "abc123",
        certificatePem: "-----BEGIN CERTIFICATE-----",
        keyPair: { PrivateKey: "-----BEGIN PRIVATE KEY-----" },
      };
    }
    if (name === "CreateThing") return { thingArn: `arn:aws:iot:eu-west-1:123456789012:thing/${THING}` };
    return {};
  };
  vi.spyOn(iot, "send").mockImplementation(send as never);
  return calls;
}

const named = (name: string, e = new Error(name)) => Object.assign(e, { name });

beforeAll(() => {
  config.IOT_GATEWAY_POLICY_NAME = "warden-gateway";
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("awsIotRegistry.provision", () => {
  it("creates certificate and thing (tenant attribute), attaches the static policy and the thing", async () => {
    const calls = mockIot();
    const device = await awsIotRegistry.provision({ tenantId: "acme", gatewayId: 7, thingName: THING });
    expect(calls).toEqual([
      { command: "CreateKeysAndCertificate", input: { setAsActive: true } },
      {
        command: "CreateThing",
        input: { thingName: THING, attributePayload: { attributes: { tenant: "acme", gateway_id: "7" } } },
      },
      { command: "AttachPolicy", input: { policyName: "warden-gateway", target: CERT_ARN } },
      { command: "AttachThingPrincipal", input: { thingName: THING, principal: CERT_ARN } },
    ]);
    expect(device).toMatchObject({ thingName: THING, certificateArn: CERT_ARN, policyName: "warden-gateway" });
  });

  it("undoes attachments, certificate and thing when the last step fails, leaving the shared policy alone", async () => {
    const calls = mockIot({ AttachThingPrincipal: named("ThrottlingException") });
    await expect(awsIotRegistry.provision({ tenantId: "acme", gatewayId: 7, thingName: THING })).rejects.toThrow(
      "ThrottlingException",
    );
    expect(calls.map((c) => c.command)).toEqual([
      "CreateKeysAndCertificate",
      "CreateThing",
      "AttachPolicy",
      "AttachThingPrincipal",
      "DetachThingPrincipal",
      "DetachPolicy",
      "UpdateCertificate",
      "DeleteCertificate",
      "DeleteThing",
    ]);
    expect(calls.find((c) => c.command === "DetachPolicy")?.input).toEqual({
      policyName: "warden-gateway",
      target: CERT_ARN,
    });
    expect(calls.find((c) => c.command === "UpdateCertificate")?.input).toEqual({
      certificateId: "abc123",
      newStatus: "INACTIVE",
    });
  });

  it("on a thing name clash removes only its own certificate, never the existing thing", async () => {
    const calls = mockIot({ CreateThing: named("ResourceAlreadyExistsException") });
    await expect(awsIotRegistry.provision({ tenantId: "acme", gatewayId: 7, thingName: THING })).rejects.toThrow();
    expect(calls.map((c) => c.command)).toEqual([
      "CreateKeysAndCertificate",
      "CreateThing",
      "UpdateCertificate",
      "DeleteCertificate",
    ]);
  });

  it("refuses to provision without the policy name, before creating anything", async () => {
    const calls = mockIot();
    config.IOT_GATEWAY_POLICY_NAME = undefined;
    try {
      await expect(awsIotRegistry.provision({ tenantId: "acme", gatewayId: 7, thingName: THING })).rejects.toThrow(
        /IOT_GATEWAY_POLICY_NAME/,
      );
    } finally {
      config.IOT_GATEWAY_POLICY_NAME = "warden-gateway";
    }
    expect(calls).toEqual([]);
  });
});

describe("awsIotRegistry.deprovision", () => {
  const req = { thingName: THING, certificateId: "abc123", certificateArn: CERT_ARN, policyName: "warden-gateway" };

  it("detaches thing and policy, deactivates and deletes the certificate, deletes the thing — no policy deleted", async () => {
    const calls = mockIot();
    await awsIotRegistry.deprovision(req);
    expect(calls).toEqual([
      { command: "DetachThingPrincipal", input: { thingName: THING, principal: CERT_ARN } },
      { command: "DetachPolicy", input: { policyName: "warden-gateway", target: CERT_ARN } },
      { command: "UpdateCertificate", input: { certificateId: "abc123", newStatus: "INACTIVE" } },
      { command: "DeleteCertificate", input: { certificateId: "abc123" } },
      { command: "DeleteThing", input: { thingName: THING } },
    ]);
  });

  it("is idempotent: parts already gone are skipped", async () => {
    const gone = named("ResourceNotFoundException");
    const calls = mockIot({ DetachThingPrincipal: gone, DetachPolicy: gone, DeleteCertificate: gone });
    await awsIotRegistry.deprovision(req);
    expect(calls.map((c) => c.command)).toContain("DeleteThing");
  });
});
