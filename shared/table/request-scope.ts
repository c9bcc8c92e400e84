/**
 * Per-request state that code deep in a request finds without being handed it (the table scope of
 * shared/table/client.ts, the IoT session of shared/iot/session.ts): an `AsyncLocalStorage` where a
 * process serves requests concurrently, and the process's own slot where it serves one at a time.
 *
 * Why not always `AsyncLocalStorage`: on Node 22 it is built on async_hooks, and once a store has
 * been entered every promise the process creates runs a promise hook. The AWS SDK makes hundreds of
 * promises per call; measured on a function's first answer (gateway-users-get against DynamoDB
 * Local), the hooks cost ~40 ms CPU of ~150 ms, and ~45 ms of ~75 ms on the next (warm) request.
 *
 * When the slot is used (`oneRequestAtATime`): under the Lambda runtime (`AWS_LAMBDA_RUNTIME_API`)
 * with one invocation per execution environment (`AWS_LAMBDA_MAX_CONCURRENCY` absent or 1; Lambda
 * Managed Instances set it above 1 and run invocations concurrently in one process), and where
 * `AsyncLocalStorage` still uses async_hooks (Node < 24 without `--experimental-async-context-frame`;
 * with AsyncContextFrame it costs no hook and is used everywhere). Local mode and the tests, which
 * run requests concurrently in one process, always use `AsyncLocalStorage`.
 *
 * A guard keeps isolation if that premise ever fails: a scope opened while another is still open
 * (a second invocation, or a scope nested in a request) is an `AsyncLocalStorage` scope, and from
 * then on the process uses only those. The open slot scope stays its request's: code running in it
 * finds no async-local store and falls back to the slot, which nothing else writes any more.
 *
 * Limit of the slot, stated: work a request leaves running after it has answered (an un-awaited
 * promise) finds the slot of whatever request runs when it resumes. In Lambda the environment is
 * frozen after the answer, so such work is already unreliable; here it would run with the later
 * request's scope, whose tenant fence refuses the earlier tenant's keys. Request code awaits its work.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * True where `AsyncLocalStorage` is built on AsyncContextFrame (no promise hooks): Node 24 on, or
 * Node 22 started with `--experimental-async-context-frame` (a command-line flag only: Node 22
 * refuses it in NODE_OPTIONS, so a Lambda nodejs22.x function cannot turn it on by configuration).
 */
function asyncContextFrame(execArgv: readonly string[], nodeVersion: string): boolean {
  if (execArgv.includes("--experimental-async-context-frame")) return true;
  return Number(nodeVersion.split(".")[0]) >= 24 && !execArgv.includes("--no-async-context-frame");
}

/** Whether this process serves one request at a time, with async_hooks-based `AsyncLocalStorage`. */
export function oneRequestAtATime(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
  nodeVersion: string = process.versions.node,
): boolean {
  const lambda = env.AWS_LAMBDA_RUNTIME_API !== undefined && env.AWS_LAMBDA_RUNTIME_API !== "";
  const concurrency = Number(env.AWS_LAMBDA_MAX_CONCURRENCY ?? "1");
  return lambda && concurrency <= 1 && !asyncContextFrame(execArgv, nodeVersion);
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";

export class RequestScope<S> {
  #async: AsyncLocalStorage<S> | undefined;
  /** The open scope of this process, while the slot is used. */
  #slot: S | undefined;
  #open = 0;
  #useSlot: boolean;

  constructor(useSlot = oneRequestAtATime()) {
    this.#useSlot = useSlot;
  }

  /** Whether the next scope opened (with none open) is the process's slot rather than async-local. */
  get usesSlot(): boolean {
    return this.#useSlot;
  }

  /** Runs `fn` with `store` as the scope of everything it does (awaits included). */
  run<T>(store: S, fn: () => T): T {
    if (this.#useSlot && this.#open === 0) return this.#inSlot(store, fn);
    // A scope while another is open: the premise of the slot failed (or scopes nest). Async-local
    // scopes from now on, for this one and every later one.
    this.#useSlot = false;
    this.#async ??= new AsyncLocalStorage<S>();
    return this.#async.run(store, fn);
  }

  getStore(): S | undefined {
    return this.#async?.getStore() ?? this.#slot;
  }

  #inSlot<T>(store: S, fn: () => T): T {
    this.#slot = store;
    this.#open += 1;
    const close = () => {
      this.#open -= 1;
      if (this.#slot === store) this.#slot = undefined;
    };
    let result: T;
    try {
      result = fn();
    } catch (error) {
      close();
      throw error;
    }
    if (!isThenable(result)) {
      close();
      return result;
    }
    return Promise.resolve(result).finally(close) as T;
  }
}
