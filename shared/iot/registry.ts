/**
 * The IoT control plane behind a port: provisioning a gateway creates its thing (with its tenant
 * as a thing attribute) and an X.509 certificate with a fresh key pair, and attaches the one static
 * gateway policy (see policy.ts) and the thing to the certificate; deprovisioning undoes all of it
 * (the shared policy itself stays). Two adapters implement the port:
 *   - `registry-aws.ts`: AWS IoT Core through @aws-sdk/client-iot (deployed);
 *   - `infra/local/iot/registry-local.ts`: the local stand-in for the AWS control plane, which
 *     makes a real key pair and self-signed certificate with openssl. It lives with local mode so
 *     it (and its child_process use) never enters a deployed bundle: local mode and the test setup
 *     put it in place with `useIotRegistry` before the first request.
 */

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

/** Replaces the adapter for this process (local mode and tests: the local stand-in). */
export function useIotRegistry(adapter: IotRegistry): void {
  registry = Promise.resolve(adapter);
}

/** The adapter in use: AWS IoT Core unless one was put in place, loaded once per cold start. */
export function iotRegistry(): Promise<IotRegistry> {
  registry ??= import("./registry-aws.ts").then((m) => m.awsIotRegistry);
  return registry;
}
