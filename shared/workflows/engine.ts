/**
 * The workflow engine: starting an execution once per client-visible id, the progress and result
 * items the API reads (never DescribeExecution), the task-token waits on gateways, and the wrappers
 * every task module is built with. The definitions are in definitions.ts, the runner behind a port
 * in runner.ts.
 *
 * Execution state (the input every task receives as `state`):
 *   { tenantId, executionId, workflow, subject, params, results: {<State>: …},
 *     failure?: {Error, Cause} }
 */
import { randomBytes } from "node:crypto";
import * as z from "zod/mini";
import { AppError } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import {
  addStepDone,
  createExecution,
  deleteExecution,
  type ExecutionItem,
  endExecution,
  getExecution,
  lockHolder,
  putWait,
  releaseLock,
  setStep,
  takeWait,
} from "./db/executions.ts";
import { GATEWAY_WAIT_SECONDS, WORKFLOWS, type WorkflowDef } from "./definitions.ts";
import { workflowRunner } from "./runner.ts";

export type { ExecutionItem, ExecutionStatus } from "./db/executions.ts";
export { certificateRenewal, toAsl, WORKFLOWS, type WorkflowDef, workflowTasks } from "./definitions.ts";
export { useWorkflowRunner, type WorkflowRunner } from "./runner.ts";

export const WorkflowState = z.object({
  tenantId: z.string(),
  executionId: z.string(),
  workflow: z.string(),
  subject: z.string(),
  params: z.record(z.string(), z.unknown()),
  results: z._default(z.record(z.string(), z.unknown()), {}),
  failure: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});
export type WorkflowState = z.infer<typeof WorkflowState>;

/** `<PREFIX>-<YYYYMMDD>-<8 hex>`: readable in a ticket, unguessable, valid as an execution name. */
const unavailable = (message: string) => new AppError(503, "INTERNAL_SERVER_ERROR", message);

export function newExecutionId(prefix: string, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "");
  return `${prefix}-${day}-${randomBytes(4).toString("hex").toUpperCase()}`;
}

export interface StartRequest {
  workflow: WorkflowDef;
  tenantId: string;
  /** What one execution at a time works on (e.g. `gw7-https`): a second start while it runs answers the first. */
  subject: string;
  executionId: string;
  startedBy: string;
  params: Record<string, unknown>;
}

/**
 * Starts the workflow unless one runs for the subject already; answers the execution that runs
 * (`started: false` when it was already running: the caller's retry gets the same id).
 */
export async function startWorkflow(r: StartRequest): Promise<{ execution: ExecutionItem; started: boolean }> {
  const startedAt = new Date().toISOString();
  const meta = { executionId: r.executionId, workflow: r.workflow.name, subject: r.subject, startedBy: r.startedBy };
  for (let attempt = 0; attempt < 3; attempt++) {
    const created = await createExecution(r.tenantId, { ...meta, startedAt }, r.workflow.timeoutSeconds + 60);
    if (!created) {
      const holder = await lockHolder(r.tenantId, r.workflow.name, r.subject);
      const running = holder ? await getExecution(r.tenantId, holder) : undefined;
      if (running) return { execution: running, started: false };
      continue; // the lock went away meanwhile: try again
    }
    const state: WorkflowState = {
      tenantId: r.tenantId,
      ...meta,
      params: r.params,
      results: {},
    };
    try {
      await (await workflowRunner()).start(r.workflow.name, r.executionId, state);
    } catch (e) {
      log.error("workflow start failed", { workflow: r.workflow.name, executionId: r.executionId, error: String(e) });
      await releaseLock(r.tenantId, r.workflow.name, r.subject, r.executionId);
      await deleteExecution(r.tenantId, r.executionId);
      throw unavailable(`${r.workflow.name} could not be started; try again`);
    }
    const execution = await getExecution(r.tenantId, r.executionId);
    if (!execution) throw new Error(`execution ${r.executionId} vanished after start`);
    return { execution, started: true };
  }
  throw unavailable(`${r.workflow.name}: the subject is busy; try again`);
}

export async function workflowExecution(tenantId: string, executionId: string): Promise<ExecutionItem | undefined> {
  return getExecution(tenantId, executionId);
}

// ── task wrappers ────────────────────────────────────────────────────────────────────────────

function stepOf(workflow: string, task: string): { def: WorkflowDef; label: string } {
  const def = WORKFLOWS.find((w) => w.name === workflow);
  const step = def?.steps.find((s) => s.task === task);
  if (!def || !step) throw new Error(`${task} is not a step of workflow ${workflow}`);
  return { def, label: step.label };
}

const TaskEvent = z.object({ state: WorkflowState });
const WaitTaskEvent = z.object({ state: WorkflowState, taskToken: z.string() });

/**
 * A plain step: marks it running, does `work`, marks it done; what `work` answers becomes
 * `$.results.<State>`. An error fails the step (the definition's Catch records it).
 */
export function defineTask<R extends Record<string, unknown>>(
  workflow: string,
  task: string,
  work: (state: WorkflowState) => Promise<R>,
): (event: unknown) => Promise<R> {
  return async (event) => {
    const { state } = TaskEvent.parse(event);
    const { label } = stepOf(workflow, task);
    await setStep(state.tenantId, state.executionId, label);
    const out = await work(state);
    await addStepDone(state.tenantId, state.executionId, label);
    return out;
  };
}

const MapTaskEvent = z.object({ state: WorkflowState, item: z.unknown() });

/**
 * One iteration of a Map step (`WorkflowStep.map`): `work` gets the execution state and its item.
 * The step's progress item says the step runs; iterations, many at once, keep their own progress
 * (the step is marked done by the step after it, or by the finisher).
 */
export function defineMapTask<R extends Record<string, unknown>>(
  workflow: string,
  task: string,
  work: (state: WorkflowState, item: unknown) => Promise<R>,
): (event: unknown) => Promise<R> {
  return async (event) => {
    const { state, item } = MapTaskEvent.parse(event);
    stepOf(workflow, task);
    return work(state, item);
  };
}

/**
 * A step that asks a gateway for something and waits for its answer: `ask` sends the request,
 * which carries `waitKey` as its request id; the task token is stored under that key until the
 * gateway's answer (`completeWait`) or the state's timeout ends the wait.
 */
export function defineWaitTask(
  workflow: string,
  task: string,
  ask: (state: WorkflowState, waitKey: string) => Promise<void>,
): (event: unknown) => Promise<{ waiting: string }> {
  return async (event) => {
    const { state, taskToken } = WaitTaskEvent.parse(event);
    const { label } = stepOf(workflow, task);
    await setStep(state.tenantId, state.executionId, label);
    // The token is stored before the gateway is asked, so even an instant answer finds it.
    const waitKey = waitKeyOf(state.executionId, task);
    await putWait(
      state.tenantId,
      waitKey,
      { token: taskToken, executionId: state.executionId, step: label },
      GATEWAY_WAIT_SECONDS + 300,
    );
    await ask(state, waitKey);
    return { waiting: waitKey };
  };
}

/** The key of a step's wait: what the request to the gateway carries as its request id. */
export const waitKeyOf = (executionId: string, task: string): string =>
  `${executionId}-${(task.split("/").pop() ?? task).replace(/\.ts$/, "")}`;

/**
 * A gateway answered `waitKey`: completes the waiting step (success with `output`, or failure with
 * `error`). Answers false when nothing waits (already answered, timed out, or not this tenant's).
 */
export async function completeWait(
  tenantId: string,
  waitKey: string,
  answer: { output: Record<string, unknown> } | { error: string },
): Promise<boolean> {
  const wait = await takeWait(tenantId, waitKey);
  if (!wait) return false;
  const runner = await workflowRunner();
  if ("error" in answer) {
    await runner.sendTaskFailure(wait.token, "GatewayError", answer.error);
  } else {
    await addStepDone(tenantId, wait.executionId, wait.step);
    await runner.sendTaskSuccess(wait.token, answer.output);
  }
  return true;
}

const FinishEvent = z.object({ outcome: z.enum(["succeeded", "failed"]), state: WorkflowState });

/** What a failed execution reports: the step it failed in and why, in one line. */
function failureText(state: WorkflowState, step: string | null): string {
  const f = state.failure;
  const why =
    f?.Error === "States.Timeout"
      ? "the gateway did not answer in time"
      : (parseCause(f?.Cause) ?? f?.Error ?? "unknown error");
  return `${step ?? "start"}: ${why}`;
}

/** Lambda errors arrive as a JSON Cause `{errorMessage, errorType}`; task failures as plain text. */
function parseCause(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // plain text
  }
  return cause.slice(0, 500);
}

/**
 * The finisher: records the outcome, releases the subject's lock, and lets the workflow do its own
 * bookkeeping (`onEnd`: e.g. the certificate settings' `last_renewal`) with the final item.
 */
export function defineFinish(
  workflow: string,
  onEnd: (state: WorkflowState, execution: ExecutionItem) => Promise<void>,
  resultOf: (state: WorkflowState) => Record<string, unknown> | null = () => null,
): (event: unknown) => Promise<{ status: string }> {
  return async (event) => {
    const { outcome, state } = FinishEvent.parse(event);
    const before = await getExecution(state.tenantId, state.executionId);
    const error = outcome === "failed" ? failureText(state, before?.step ?? null) : null;
    const ended = await endExecution(state.tenantId, state.executionId, {
      status: outcome,
      error,
      result: outcome === "succeeded" ? resultOf(state) : null,
      at: new Date().toISOString(),
    });
    // Waits of a failed execution are dropped: a late answer finds nothing.
    for (const step of WORKFLOWS.find((w) => w.name === workflow)?.steps ?? []) {
      if (step.waitsForGateway) await takeWait(state.tenantId, waitKeyOf(state.executionId, step.task));
    }
    await releaseLock(state.tenantId, workflow, state.subject, state.executionId);
    if (ended) await onEnd(state, ended);
    if (outcome === "failed") log.warn("workflow failed", { workflow, executionId: state.executionId, error });
    return { status: outcome };
  };
}
