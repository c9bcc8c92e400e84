/**
 * The IoT registry port on AWS IoT Core. Provisioning order: certificate, thing (with its `tenant`
 * attribute, which the static gateway policy confines the events topic by), the static policy
 * attached to the certificate, then the certificate attached to the thing. Any step failing undoes
 * the steps before it, so a failed registration leaves nothing behind in IoT. No policy is created
 * or deleted here: the one gateway policy is deployed by the IoT stack (see policy.ts).
 */
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteThingCommand,
  DescribeEndpointCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  IoTClient,
  UpdateCertificateCommand,
} from "@aws-sdk/client-iot";
import { config } from "#shared/kit/config.ts";
import { log } from "#shared/kit/log.ts";
import { TENANT_ATTRIBUTE } from "./policy.ts";
import type { DeprovisionRequest, IotRegistry, ProvisionedDevice, ProvisionRequest } from "./registry-port.ts";
import { checkThingAccess, iotTenant } from "./session.ts";

/**
 * The function's own client: certificates (their ids are IoT's, so IAM cannot name a tenant in
 * them) and the policy attachment. Exported for tests, which replace `send` (AWS control planes
 * cannot run locally).
 */
export const iot = new IoTClient({ region: config.AWS_REGION });

/** Clients per tenant session (its credentials), per container. */
const tenantClients = new Map<string, IoTClient>();

/**
 * The client for `action` on the thing `thingName`: inside a tenant session (session.ts) one signed
 * with the tenant's credentials (IAM: `thing/warden_<tenant>_*` only), after refusing what the
 * session may not do; elsewhere the own client.
 */
function thingIot(action: string, thingName: string): IoTClient {
  const access = iotTenant();
  if (!access) return iot;
  checkThingAccess(action, thingName, access);
  const id = access.credentials.accessKeyId;
  let client = tenantClients.get(id);
  if (!client) {
    client = new IoTClient({ region: config.AWS_REGION, credentials: access.credentials });
    if (tenantClients.size >= 100) tenantClients.delete(tenantClients.keys().next().value ?? "");
    tenantClients.set(id, client);
  }
  return client;
}

const isGone = (e: unknown) => (e as { name?: string }).name === "ResourceNotFoundException";

/** Runs a cleanup step, tolerating "already gone". */
async function undo(step: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!isGone(e)) throw Object.assign(e as Error, { step });
  }
}

/** Detaching is eventually consistent: deleting right after can still see the attachment. */
async function retryWhileAttached(run: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await run();
      return;
    } catch (e) {
      const name = (e as { name?: string }).name;
      const stillAttached = name === "CertificateStateException" || name === "DeleteConflictException";
      if (!stillAttached || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}

async function deprovision(req: DeprovisionRequest): Promise<void> {
  await undo("DetachThingPrincipal", () =>
    thingIot("iot:DetachThingPrincipal", req.thingName).send(
      new DetachThingPrincipalCommand({ thingName: req.thingName, principal: req.certificateArn }),
    ),
  );
  await undo("DetachPolicy", () =>
    iot.send(new DetachPolicyCommand({ policyName: req.policyName, target: req.certificateArn })),
  );
  await undo("UpdateCertificate", () =>
    iot.send(new UpdateCertificateCommand({ certificateId: req.certificateId, newStatus: "INACTIVE" })),
  );
  await undo("DeleteCertificate", () =>
    retryWhileAttached(() => iot.send(new DeleteCertificateCommand({ certificateId: req.certificateId }))),
  );
  await undo("DeleteThing", () =>
    retryWhileAttached(() =>
      thingIot("iot:DeleteThing", req.thingName).send(new DeleteThingCommand({ thingName: req.thingName })),
    ),
  );
}

/** The static gateway policy the IoT stack deployed; its name comes with the function's environment. */
function gatewayPolicyName(): string {
  const name = config.IOT_GATEWAY_POLICY_NAME;
  if (!name) throw new Error("IOT_GATEWAY_POLICY_NAME is not set: the IoT stack names the gateway policy");
  return name;
}

async function provision(req: ProvisionRequest): Promise<ProvisionedDevice> {
  const policyName = gatewayPolicyName();
  const cert = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const { certificateArn, certificateId, certificatePem, keyPair } = cert;
  if (!certificateArn || !certificateId || !certificatePem || !keyPair?.PrivateKey) {
    throw new Error("CreateKeysAndCertificate returned no certificate");
  }
  const done = { thing: false, policy: false };
  try {
    const thing = await thingIot("iot:CreateThing", req.thingName).send(
      new CreateThingCommand({
        thingName: req.thingName,
        attributePayload: { attributes: { [TENANT_ATTRIBUTE]: req.tenantId, gateway_id: String(req.gatewayId) } },
      }),
    );
    done.thing = true;
    await iot.send(new AttachPolicyCommand({ policyName, target: certificateArn }));
    done.policy = true;
    await thingIot("iot:AttachThingPrincipal", req.thingName).send(
      new AttachThingPrincipalCommand({ thingName: req.thingName, principal: certificateArn }),
    );
    return {
      thingName: req.thingName,
      thingArn: thing.thingArn ?? "",
      certificateId,
      certificateArn,
      certificatePem,
      privateKey: keyPair.PrivateKey,
      policyName,
    };
  } catch (e) {
    // Undo only what this call did: a name clash must never delete someone else's thing, and the
    // shared policy itself is never touched, only its attachment to this certificate.
    try {
      if (done.thing) {
        await undo("DetachThingPrincipal", () =>
          thingIot("iot:DetachThingPrincipal", req.thingName).send(
            new DetachThingPrincipalCommand({ thingName: req.thingName, principal: certificateArn }),
          ),
        );
      }
      if (done.policy) {
        await undo("DetachPolicy", () => iot.send(new DetachPolicyCommand({ policyName, target: certificateArn })));
      }
      await undo("UpdateCertificate", () =>
        iot.send(new UpdateCertificateCommand({ certificateId, newStatus: "INACTIVE" })),
      );
      await undo("DeleteCertificate", () =>
        retryWhileAttached(() => iot.send(new DeleteCertificateCommand({ certificateId }))),
      );
      if (done.thing) {
        await undo("DeleteThing", () =>
          retryWhileAttached(() =>
            thingIot("iot:DeleteThing", req.thingName).send(new DeleteThingCommand({ thingName: req.thingName })),
          ),
        );
      }
    } catch (cleanup) {
      log.error("iot provisioning rollback failed", { thingName: req.thingName, error: cleanup });
    }
    throw e;
  }
}

let endpoint: Promise<string> | undefined;

export const awsIotRegistry: IotRegistry = {
  kind: "aws",
  provision,
  deprovision,
  deviceEndpoint() {
    endpoint ??= config.IOT_ENDPOINT_ADDRESS
      ? Promise.resolve(config.IOT_ENDPOINT_ADDRESS)
      : iot.send(new DescribeEndpointCommand({ endpointType: "iot:Data-ATS" })).then((r) => r.endpointAddress ?? "");
    return endpoint;
  },
};
