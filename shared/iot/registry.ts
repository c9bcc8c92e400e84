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
 * What an adapter implements is declared in registry-port.ts (re-exported here).
 */
import type { IotRegistry } from "./registry-port.ts";

export type { DeprovisionRequest, IotRegistry, ProvisionedDevice, ProvisionRequest } from "./registry-port.ts";

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
