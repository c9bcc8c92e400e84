/**
 * The IoT registry port on AWS IoT Core. Provisioning order: certificate first (its ARN names the
 * region and account the policy must name), then thing, policy, and the two attachments. Any step
 * failing undoes the steps before it, so a failed registration leaves nothing behind in IoT.
 */
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeleteThingCommand,
  DescribeEndpointCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  IoTClient,
  UpdateCertificateCommand,
} from "@aws-sdk/client-iot";
import { config } from "#shared/config.ts";
import { log } from "#shared/log.ts";
import { arnParts, renderGatewayPolicy } from "./policy.ts";
import type { DeprovisionRequest, IotRegistry, ProvisionedDevice, ProvisionRequest } from "./registry.ts";

const iot = new IoTClient({ region: config.AWS_REGION });

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
    iot.send(new DetachThingPrincipalCommand({ thingName: req.thingName, principal: req.certificateArn })),
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
    retryWhileAttached(() => iot.send(new DeleteThingCommand({ thingName: req.thingName }))),
  );
  await undo("DeletePolicy", () =>
    retryWhileAttached(() => iot.send(new DeletePolicyCommand({ policyName: req.policyName }))),
  );
}

async function provision(req: ProvisionRequest): Promise<ProvisionedDevice> {
  const cert = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const { certificateArn, certificateId, certificatePem, keyPair } = cert;
  if (!certificateArn || !certificateId || !certificatePem || !keyPair?.PrivateKey) {
    throw new Error("CreateKeysAndCertificate returned no certificate");
  }
  const policyName = req.thingName;
  const created = { thing: false, policy: false };
  try {
    const thing = await iot.send(
      new CreateThingCommand({
        thingName: req.thingName,
        attributePayload: { attributes: { tenant: req.tenantId, gateway_id: String(req.gatewayId) } },
      }),
    );
    created.thing = true;
    const policy = renderGatewayPolicy({
      ...arnParts(certificateArn),
      tenantId: req.tenantId,
      thingName: req.thingName,
    });
    await iot.send(new CreatePolicyCommand({ policyName, policyDocument: JSON.stringify(policy) }));
    created.policy = true;
    await iot.send(new AttachPolicyCommand({ policyName, target: certificateArn }));
    await iot.send(new AttachThingPrincipalCommand({ thingName: req.thingName, principal: certificateArn }));
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
    // Undo only what this call created: a name clash must never delete someone else's thing or policy.
    try {
      if (created.thing) {
        await undo("DetachThingPrincipal", () =>
          iot.send(new DetachThingPrincipalCommand({ thingName: req.thingName, principal: certificateArn })),
        );
      }
      if (created.policy) {
        await undo("DetachPolicy", () => iot.send(new DetachPolicyCommand({ policyName, target: certificateArn })));
      }
      await undo("UpdateCertificate", () =>
        iot.send(new UpdateCertificateCommand({ certificateId, newStatus: "INACTIVE" })),
      );
      await undo("DeleteCertificate", () =>
        retryWhileAttached(() => iot.send(new DeleteCertificateCommand({ certificateId }))),
      );
      if (created.thing) {
        await undo("DeleteThing", () =>
          retryWhileAttached(() => iot.send(new DeleteThingCommand({ thingName: req.thingName }))),
        );
      }
      if (created.policy) {
        await undo("DeletePolicy", () => retryWhileAttached(() => iot.send(new DeletePolicyCommand({ policyName }))));
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
