/**
 * Where executions run, behind a port (shared/iot/registry.ts is the model):
 *   - `adapters/sfn.ts`: AWS Step Functions through @aws-sdk/client-sfn (deployed);
 *   - `infra/local/workflows/runner-local.ts`: the same synthesized definitions run in process by
 *     aws-local-stepfunctions. It lives with local mode so it never enters a deployed bundle; local
 *     mode and the test setup put it in place with `useWorkflowRunner`.
 */
export interface WorkflowRunner {
  /**
   * Starts `workflow` as execution `name`. A second start of the same name with the same input is
   * not an error (Step Functions answers the running execution), so a retried start is harmless.
   */
  start(workflow: string, name: string, input: Record<string, unknown>): Promise<void>;
  /** Completes a `.waitForTaskToken` task with `output` (the gateway's answer). */
  sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<void>;
  /** Fails it: the state's Catch records `error` as the execution's error. */
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
}

let runner: Promise<WorkflowRunner> | undefined;

export function useWorkflowRunner(adapter: WorkflowRunner): void {
  runner = Promise.resolve(adapter);
}

export function workflowRunner(): Promise<WorkflowRunner> {
  runner ??= import("./adapters/sfn.ts").then((m) => m.sfnRunner);
  return runner;
}
