/** What a workflow runner adapter implements (runner.ts chooses one; adapters/sfn.ts, infra/local/workflows/runner-local.ts). */
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
