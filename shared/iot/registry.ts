/**
 * The IoT control plane behind a port: provisioning a gateway creates its thing (with its tenant
 * as a thing attribute) and an X.509 certificate with a fresh key pair, and attaches the one static
 * gateway policy (see policy.ts) and the thing to the certificate; deprovisioning undoes all of it
 * (the shared policy itself stays). Two adapters implement the port:
 *   - `registry-aws.ts`: AWS IoT Core through @aws-sdk/client-iot (deployed);
 *   - `registry-local.ts`: the local stand-in for the AWS control plane (local mode and tests),
 *     which makes a real key pair and self-signed certificate with openssl.
 * The adapter is chosen by configuration: `IOT_DATA_ENDPOINT` set means the local IoT Core.
 */
import { config } from "#shared/config.ts";

export interface ProvisionRequest {
  tenantId: string;
  gatewayId: number;
  thingName: string;
}

/** What a newly registered gateway needs to connect. The private key exists only in this value. */
export interface ProvisionedDevice {
  thingName: string;
  thingArn: string;
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  privateKey: string;
  /** The static gateway policy attached to the certificate (shared by every gateway). */
  policyName: string;
}

export interface DeprovisionRequest {
  thingName: string;
  certificateId: string;
  certificateArn: string;
  policyName: string;
}

export interface IotRegistry {
  readonly kind: "aws" | "local";
  /** All or nothing: a failure part-way removes what was created and rethrows. */
  provision(req: ProvisionRequest): Promise<ProvisionedDevice>;
  /** Idempotent: parts that are already gone are skipped. */
  deprovision(req: DeprovisionRequest): Promise<void>;
  /** Where devices connect (the account's ATS data endpoint, or the local broker's URL). */
  deviceEndpoint(): Promise<string>;
}

let registry: Promise<IotRegistry> | undefined;

/** The configured adapter, loaded once per cold start (each adapter pulls in only its own SDK). */
export function iotRegistry(): Promise<IotRegistry> {
  registry ??=
    config.IOT_DATA_ENDPOINT !== undefined
      ? import("./registry-local.ts").then((m) => m.localIotRegistry)
      : import("./registry-aws.ts").then((m) => m.awsIotRegistry);
  return registry;
}
