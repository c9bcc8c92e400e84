/**
 * The local stand-in for the AWS IoT control plane (local mode and tests only). It does what
 * CreateThing / CreateKeysAndCertificate / Attach* do, on this machine:
 *   - a real P-256 key pair and a self-signed X.509 certificate from `openssl req -x509`, so a
 *     device gets the same kind of credentials it would get from AWS;
 *   - the certificate id is the SHA-256 of the certificate's DER, as in AWS IoT;
 *   - things (with their `tenant` attribute), certificates and the name and document of the static
 *     gateway policy attached to them are recorded in memory.
 * The local broker does not enforce the policy; in AWS the IoT stack deploys the same document and
 * the AWS adapter attaches it to the certificate in IoT Core, where it is enforced.
 */
import { execFile } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  GATEWAY_POLICY_NAME,
  type PolicyDocument,
  renderGatewayPolicy,
  TENANT_ATTRIBUTE,
  THING_CREATE_ACTIONS,
  THING_UNDO_ACTIONS,
} from "#shared/iot/policy.ts";
import type { DeprovisionRequest, IotRegistry, ProvisionedDevice, ProvisionRequest } from "#shared/iot/registry.ts";
import { checkThingAccess } from "#shared/iot/session.ts";
import { config } from "#shared/kit/config.ts";

const run = promisify(execFile);

const LOCAL_ACCOUNT = "000000000000";

export interface LocalThing {
  thingName: string;
  tenantId: string;
  gatewayId: number;
  attributes: Record<string, string>;
  certificateId: string;
  policyName: string;
  policy: PolicyDocument;
  certificateStatus: "ACTIVE" | "INACTIVE";
}

/** The in-memory registry; exported so tests can look at what was provisioned. */
export const localThings = new Map<string, LocalThing>();

async function selfSignedCertificate(commonName: string): Promise<{ certificatePem: string; privateKey: string }> {
  const dir = await mkdtemp(join(tmpdir(), "warden-iot-"));
  try {
    const keyFile = join(dir, "device.key");
    const certFile = join(dir, "device.crt");
    await run(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "3650",
        "-subj",
        `/O=Warden local IoT/CN=${commonName}`,
      ],
      { timeout: 15_000 },
    );
    return { certificatePem: await readFile(certFile, "utf8"), privateKey: await readFile(keyFile, "utf8") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const localIotRegistry: IotRegistry = {
  kind: "local",

  async provision(req: ProvisionRequest): Promise<ProvisionedDevice> {
    // IAM's answer in AWS (tenant-access role: `thing/warden_<tenant>_*`), before anything is made.
    for (const action of THING_CREATE_ACTIONS) checkThingAccess(action, req.thingName);
    if (localThings.has(req.thingName)) throw new Error(`thing ${req.thingName} already exists`);
    const { certificatePem, privateKey } = await selfSignedCertificate(req.thingName);
    const certificateId = createHash("sha256").update(new X509Certificate(certificatePem).raw).digest("hex");
    const arn = (type: string, name: string) => `arn:aws:iot:${config.AWS_REGION}:${LOCAL_ACCOUNT}:${type}/${name}`;
    const policyName = config.IOT_GATEWAY_POLICY_NAME ?? GATEWAY_POLICY_NAME;
    const policy = renderGatewayPolicy({ partition: "aws", region: config.AWS_REGION, accountId: LOCAL_ACCOUNT });
    localThings.set(req.thingName, {
      thingName: req.thingName,
      tenantId: req.tenantId,
      gatewayId: req.gatewayId,
      attributes: { [TENANT_ATTRIBUTE]: req.tenantId, gateway_id: String(req.gatewayId) },
      certificateId,
      policyName,
      policy,
      certificateStatus: "ACTIVE",
    });
    return {
      thingName: req.thingName,
      thingArn: arn("thing", req.thingName),
      certificateId,
      certificateArn: arn("cert", certificateId),
      certificatePem,
      privateKey,
      policyName,
    };
  },

  async deprovision(req: DeprovisionRequest): Promise<void> {
    for (const action of THING_UNDO_ACTIONS) checkThingAccess(action, req.thingName);
    localThings.delete(req.thingName);
  },

  async deviceEndpoint(): Promise<string> {
    return config.MQTT_URL ?? "mqtt://127.0.0.1:1883";
  },
};
