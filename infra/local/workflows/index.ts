/**
 * Local mode's long work: the ACME CA (pebble, when installed) and the workflow runner that
 * executes the state machines' definitions in process. `startLocalAcme` runs before the shared code
 * is imported (it reads the CA's directory and trust from its environment once);
 * `useLocalWorkflows` after, and answers what it loaded for `npm start` to print.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { pebbleInstalled, startPebble } from "./pebble.ts";

export interface LocalAcme {
  /** One line for `npm start` to print. */
  summary: string;
  stop(): Promise<void>;
}

export async function startLocalAcme(stateDir: string): Promise<LocalAcme> {
  if (!pebbleInstalled()) {
    return {
      summary:
        "ACME: Debian's pebble is not installed (apt-get install pebble), so certificate renewals fail with a clear error",
      stop: async () => {},
    };
  }
  let pebble: Awaited<ReturnType<typeof startPebble>>;
  try {
    pebble = await startPebble({ dir: join(stateDir, "acme") });
  } catch (e) {
    // The platform still starts: only renewals need the CA, and they fail with a clear error.
    pebble = undefined;
    return { summary: `ACME: pebble could not start (${(e as Error).message})`, stop: async () => {} };
  }
  if (!pebble) return { summary: "ACME: pebble could not start", stop: async () => {} };
  process.env.WARDEN_ACME_DIRECTORY = pebble.directoryUrl;
  process.env.WARDEN_ACME_CA_FILE = pebble.caFile;
  return {
    summary: `ACME CA (pebble): ${pebble.directoryUrl}, HTTP-01 validated on port ${pebble.httpPort} (names resolve to 127.0.0.1)`,
    stop: () => pebble.stop(),
  };
}

export async function useLocalWorkflows(root: string): Promise<string> {
  const [{ createLocalRunner }, { useWorkflowRunner }] = await Promise.all([
    import("./runner-local.ts"),
    import("#shared/workflows/engine.ts"),
  ]);
  const runner = createLocalRunner({
    root,
    onError: (workflow, name, e) => process.stderr.write(`workflow ${workflow} ${name}: ${e.message}\n`),
  });
  useWorkflowRunner(runner);
  scheduleJobs(root);
  return `Workflows (aws-local-stepfunctions, the synthesized definitions): ${runner
    .loaded()
    .map((w) => `${w.name} (${w.states.length} states)`)
    .join(", ")}`;
}

/** Local mode's stand-in for EventBridge Scheduler: each job on a timer at its next run time. */
function scheduleJobs(root: string) {
  void import("#shared/workflows/definitions.ts").then(({ SCHEDULED_JOBS }) => {
    for (const job of SCHEDULED_JOBS) {
      const arm = () => {
        const wait = job.next(new Date()).getTime() - Date.now();
        setTimeout(async () => {
          try {
            const mod = (await import(pathToFileURL(join(root, job.handler)).href)) as {
              handler: () => Promise<unknown>;
            };
            await mod.handler();
          } catch (e) {
            process.stderr.write(`${job.description}: ${(e as Error).message}\n`);
          }
          arm();
        }, wait).unref();
      };
      arm();
    }
  });
}
