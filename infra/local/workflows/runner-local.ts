/**
 * Local mode's workflow runner: the definitions CDK synthesizes (shared/workflows/definitions.ts
 * `toAsl`, the same text), executed in process by aws-local-stepfunctions. Each task's `${…}`
 * placeholder becomes a local Lambda ARN and the task runs the handler module in process.
 *
 * aws-local-stepfunctions has no `.waitForTaskToken`: such a state's local handler calls the task
 * module (which stores the token) and then waits for `sendTaskSuccess`/`sendTaskFailure` of that
 * token, which the same process receives (the gateway's answer arrives through the local IoT rule
 * → ingest → completeWait). The state's own `TimeoutSeconds` bounds the wait, so a gateway that
 * never answers times the step out (States.Timeout) exactly as in AWS; tests shorten only that wait
 * (`gatewayWaitMs`), the definition stays the synthesized one. One wait at a time per execution, so
 * the token is the execution's (`$$.Task.Token` comes from the context object).
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { StateMachine } from "aws-local-stepfunctions";
import { mapStates, taskFunctionId, taskPlaceholder } from "#shared/workflows/definitions.ts";
import { toAsl, WORKFLOWS, type WorkflowDef, type WorkflowRunner, workflowTasks } from "#shared/workflows/engine.ts";

type Json = Record<string, unknown>;
type TaskHandler = (event: unknown) => Promise<unknown>;

const LOCAL_ARN = (task: string) => `arn:aws:lambda:us-east-1:000000000000:function:${taskFunctionId(task)}`;

/** A definition with its placeholders filled with local ARNs: what `StateMachine` runs. */
export function localDefinition(def: WorkflowDef): Json {
  let text = JSON.stringify(toAsl(def));
  for (const task of workflowTasks(def)) text = text.replaceAll(`\${${taskPlaceholder(task)}}`, LOCAL_ARN(task));
  return JSON.parse(text) as Json;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

class TaskFailed extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export interface LocalRunnerOptions {
  /** Repository root, where the task modules are. */
  root: string;
  /** Definitions as they are to run, by workflow name (default: `localDefinition` of each). */
  definitions?: Record<string, Json>;
  onError?: (workflow: string, name: string, e: Error) => void;
  /** Tests only: a gateway wait gives up after this many ms (States.Timeout) instead of the state's TimeoutSeconds. */
  gatewayWaitMs?: number;
  /** Bench: wraps each state's task (a wait state: the task and the wait for the gateway's answer). */
  instrument?: (state: string, run: () => Promise<unknown>) => Promise<unknown>;
}

export interface LocalWorkflowRunner extends WorkflowRunner {
  /** The workflows loaded, with their states, for `npm start` to print. */
  loaded(): { name: string; states: string[] }[];
  /** Settles when execution `name` has ended (its result or its error). */
  settled(name: string): Promise<unknown>;
}

export function createLocalRunner(options: LocalRunnerOptions): LocalWorkflowRunner {
  const modules = new Map<string, Promise<TaskHandler>>();
  const load = (task: string): Promise<TaskHandler> => {
    let m = modules.get(task);
    if (!m) {
      m = import(pathToFileURL(join(options.root, task)).href).then((mod: { handler: TaskHandler }) => mod.handler);
      modules.set(task, m);
    }
    return m;
  };
  const machines = new Map<string, { def: WorkflowDef; machine: StateMachine; definition: Json }>();
  for (const def of WORKFLOWS) {
    const definition = options.definitions?.[def.name] ?? localDefinition(def);
    machines.set(def.name, { def, definition, machine: new StateMachine(definition as never) });
  }
  const executions = new Map<string, Promise<unknown>>();
  const waits = new Map<string, Pending>();

  function overrides(def: WorkflowDef, token: string) {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const step of def.steps) {
      if (step.map) {
        // A Map step's iterations run its inner Task state (aws-local-stepfunctions passes the
        // overrides down to the iteration's state machine).
        handlers[mapStates(step).task] = async (input) => (await load(step.task))(input);
        continue;
      }
      handlers[step.state] = step.waitsForGateway
        ? async (payload) => {
            // The state's Parameters made `{FunctionName, Payload}`: Lambda receives the Payload.
            const answer = new Promise<unknown>((resolve, reject) => waits.set(token, { resolve, reject }));
            await (await load(step.task))((payload as { Payload: unknown }).Payload);
            if (options.gatewayWaitMs === undefined) return answer;
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<never>((_, reject) => {
              timer = setTimeout(() => {
                waits.delete(token);
                reject(new TaskFailed("States.Timeout", "Task timed out"));
              }, options.gatewayWaitMs);
            });
            try {
              return await Promise.race([answer, timeout]);
            } finally {
              clearTimeout(timer);
            }
          }
        : async (input) => (await load(step.task))(input);
    }
    const finish = async (input: unknown) => (await load(def.finish))(input);
    handlers.RecordSuccess = finish;
    handlers.RecordFailure = finish;
    const instrument = options.instrument;
    if (!instrument) return handlers;
    return Object.fromEntries(
      Object.entries(handlers).map(([state, h]) => [state, (input: unknown) => instrument(state, () => h(input))]),
    );
  }

  return {
    async start(workflow, name, input) {
      const entry = machines.get(workflow);
      if (!entry) throw new Error(`no workflow '${workflow}'`);
      if (executions.has(name)) return; // same name: the running execution (Step Functions' idempotency)
      const token = `local-token:${name}`;
      const run = entry.machine.run(
        input as never,
        {
          overrides: { taskResourceLocalHandlers: overrides(entry.def, token) },
          context: {
            Execution: { Id: name, Name: name, Input: input, StartTime: new Date().toISOString() },
            Task: { Token: token },
          },
        } as never,
      );
      const done = run.result.catch((e: Error) => {
        options.onError?.(workflow, name, e);
        return { error: e.message };
      });
      executions.set(name, done);
    },
    async sendTaskSuccess(token, output) {
      const pending = waits.get(token);
      if (!pending) throw new TaskFailed("TaskTimedOut", "no task waits for this token");
      waits.delete(token);
      pending.resolve(output);
    },
    async sendTaskFailure(token, error, cause) {
      const pending = waits.get(token);
      if (!pending) throw new TaskFailed("TaskTimedOut", "no task waits for this token");
      waits.delete(token);
      pending.reject(new TaskFailed(error, cause));
    },
    loaded: () =>
      [...machines.values()].map((m) => ({
        name: m.def.name,
        states: Object.keys((m.definition.States as Json) ?? {}),
      })),
    settled: (name) => executions.get(name) ?? Promise.reject(new Error(`no execution '${name}'`)),
  };
}
