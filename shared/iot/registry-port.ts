/**
 * The IoT registry port's contract: what every adapter implements (registry-aws.ts here,
 * infra/local/iot/registry-local.ts in local mode) and what registry.ts hands out. Types only, in
 * their own module so that an adapter can name them without importing the module that loads it.
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
