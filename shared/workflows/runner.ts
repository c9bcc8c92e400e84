/**
 * Where executions run, behind a port (shared/iot/registry.ts is the model):
 *   - `adapters/sfn.ts`: AWS Step Functions through @aws-sdk/client-sfn (deployed);
 *   - `infra/local/workflows/runner-local.ts`: the same synthesized definitions run in process by
 *     aws-local-stepfunctions. It lives with local mode so it never enters a deployed bundle; local
 *     mode and the test setup put it in place with `useWorkflowRunner`.
 */
import type { WorkflowRunner } from "./runner-port.ts";

export type { WorkflowRunner } from "./runner-port.ts";

let runner: Promise<WorkflowRunner> | undefined;

export function useWorkflowRunner(adapter: WorkflowRunner): void {
  runner = Promise.resolve(adapter);
}

export function workflowRunner(): Promise<WorkflowRunner> {
  runner ??= import("./adapters/sfn.ts").then((m) => m.sfnRunner);
  return runner;
}
