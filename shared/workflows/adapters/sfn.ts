/**
 * The Step Functions adapter of the workflow runner. State machines are named
 * `<WARDEN_STATE_MACHINE_PREFIX><workflow>` by the workflows stack, so a function needs only the
 * prefix (an ARN prefix set by CDK for functions whose access says `workflows`).
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import * as z from "zod/mini";
import type { WorkflowRunner } from "../runner-port.ts";

const env = z
  .object({ WARDEN_STATE_MACHINE_PREFIX: z._default(z.string(), "") })
  .parse({ WARDEN_STATE_MACHINE_PREFIX: process.env.WARDEN_STATE_MACHINE_PREFIX });
// Built on first use: a function that imports this module but does not send stays free of the
// client's setup at its cold start.
let sfnBuilt: SFNClient | undefined;
const sfn = (): SFNClient => (sfnBuilt ??= new SFNClient({}));

export const sfnRunner: WorkflowRunner = {
  async start(workflow, name, input) {
    if (!env.WARDEN_STATE_MACHINE_PREFIX) throw new Error("WARDEN_STATE_MACHINE_PREFIX is not set");
    await sfn().send(
      new StartExecutionCommand({
        stateMachineArn: `${env.WARDEN_STATE_MACHINE_PREFIX}${workflow}`,
        name,
        input: JSON.stringify(input),
      }),
    );
  },
  async sendTaskSuccess(token, output) {
    await sfn().send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  },
  async sendTaskFailure(token, error, cause) {
    await sfn().send(new SendTaskFailureCommand({ taskToken: token, error, cause: cause.slice(0, 32_000) }));
  },
};
