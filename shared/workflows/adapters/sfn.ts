/**
 * The Step Functions adapter of the workflow runner. State machines are named
 * `<WARDEN_STATE_MACHINE_PREFIX><workflow>` by the workflows stack, so a function needs only the
 * prefix (an ARN prefix set by CDK for functions whose access says `workflows`).
 */
import type { SFNClient } from "@aws-sdk/client-sfn";
import * as z from "zod/mini";
import { onFirstUse } from "#shared/kit/lazy.ts";
import type { WorkflowRunner } from "../runner-port.ts";

const env = z
  .object({ WARDEN_STATE_MACHINE_PREFIX: z._default(z.string(), "") })
  .parse({ WARDEN_STATE_MACHINE_PREFIX: process.env.WARDEN_STATE_MACHINE_PREFIX });
type SfnSdk = typeof import("@aws-sdk/client-sfn");

// The SDK module is imported, and the client built, on first use: a function that imports this
// module but does not send (most routes reach it through an area root) neither loads the Step
// Functions client's code nor sets it up at its cold start (a failed import is retried by the next call).
const sfn = onFirstUse<{ sdk: SfnSdk; client: SFNClient }>(() =>
  import("@aws-sdk/client-sfn").then((sdk) => ({ sdk, client: new sdk.SFNClient({}) })),
);

export const sfnRunner: WorkflowRunner = {
  async start(workflow, name, input) {
    if (!env.WARDEN_STATE_MACHINE_PREFIX) throw new Error("WARDEN_STATE_MACHINE_PREFIX is not set");
    const { sdk, client } = await sfn();
    await client.send(
      new sdk.StartExecutionCommand({
        stateMachineArn: `${env.WARDEN_STATE_MACHINE_PREFIX}${workflow}`,
        name,
        input: JSON.stringify(input),
      }),
    );
  },
  async sendTaskSuccess(token, output) {
    const { sdk, client } = await sfn();
    await client.send(new sdk.SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  },
  async sendTaskFailure(token, error, cause) {
    const { sdk, client } = await sfn();
    await client.send(new sdk.SendTaskFailureCommand({ taskToken: token, error, cause: cause.slice(0, 32_000) }));
  },
};
