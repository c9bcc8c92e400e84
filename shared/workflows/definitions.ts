/**
 * The workflows, as data: each is a list of steps, each step one Lambda task under
 * `functions/workflows/<workflow>/<task>.ts`. `toAsl` turns a definition into Amazon States Language
 * (JSONPath only: no JSONata, no `Assign`), with `${placeholder}` where a task's function ARN goes:
 * CDK fills them with `definitionSubstitutions` (infra/stacks/workflows-stack.ts), local mode with
 * local ARNs whose tasks run in process (infra/local/workflows/). Both run this same text.
 *
 * Shape of every definition: the steps in order, each with Retry (backoff on Lambda's transient
 * errors) and Catch (any error → `RecordFailure`, which records the failed step and ends in `Failed`);
 * after the last step `RecordSuccess`. A step that waits on a gateway is a `.waitForTaskToken`
 * task that gives up after `GATEWAY_WAIT_SECONDS` (States.Timeout, caught and recorded like any
 * failure). Keep this file free of CDK and of handler imports.
 */
export interface WorkflowStep {
  /** State name, PascalCase. */
  state: string;
  /** Module under the repository root exporting `handler`. */
  task: string;
  /** What the step's progress item calls it (the API's `step`). */
  label: string;
  /** The task hands the gateway a request and the execution waits for the gateway's answer. */
  waitsForGateway?: boolean;
  /**
   * A Map step: the task runs once per element of the array at `itemsPath` (JSONPath into the
   * execution state), at most `maxConcurrency` at a time, each receiving `{state, item}`. The step's
   * result is the array of the iterations' results. An iteration that fails with one of `retryOn`
   * is retried with full jitter; one that still fails (any error) yields
   * `{item, skipped: true, error: {Error, Cause}}` instead of failing the execution, so one bad
   * element never sinks the rest.
   */
  map?: { itemsPath: string; maxConcurrency: number; retryOn: string[] };
}

export interface WorkflowDef {
  /** Kebab-case; the state machine is `<prefix>-<name>`, its tasks `workflows-<name>-<task>`. */
  name: string;
  description: string;
  steps: WorkflowStep[];
  /** Records the outcome (success or failure) in the table: `{outcome, state}`. */
  finish: string;
  /** The whole execution gives up after this long (a lost task token can never hold it forever). */
  timeoutSeconds: number;
}

/** How long a step waits for a gateway's answer (an offline gateway fails the step after this). */
export const GATEWAY_WAIT_SECONDS = 600;

const RENEWAL = "functions/workflows/certificate-renewal";

export const certificateRenewal: WorkflowDef = {
  name: "certificate-renewal",
  description: "ACME renewal of a gateway certificate: CSR on the gateway, order, HTTP-01, finalize, install",
  steps: [
    { state: "RequestCsr", task: `${RENEWAL}/request-csr.ts`, label: "Generating CSR", waitsForGateway: true },
    { state: "PlaceOrder", task: `${RENEWAL}/place-order.ts`, label: "Requesting certificate from CA" },
    {
      state: "PublishChallenges",
      task: `${RENEWAL}/publish-challenges.ts`,
      label: "Validating domain ownership",
      waitsForGateway: true,
    },
    { state: "FinalizeOrder", task: `${RENEWAL}/finalize-order.ts`, label: "Downloading certificate" },
    { state: "Install", task: `${RENEWAL}/install.ts`, label: "Installing certificate", waitsForGateway: true },
  ],
  finish: `${RENEWAL}/finish.ts`,
  timeoutSeconds: 3600,
};

const CLOUD_SCAN = "functions/workflows/cloud-scan";

/**
 * A cloud account scan (Cloudsentinel): credentials checked (STS GetCallerIdentity), then one
 * collector per service × region (a Map, at most 8 at once; AWS throttling retried with full
 * jitter, a unit that still fails is skipped with its reason), the checks over the merged
 * inventory, findings and alerts stored, the findings recorded as evidence on the tenant's mapped
 * GRC controls (shared/compliance/cloud-evidence.ts), then the webhooks. The finisher deletes the scan's
 * credentials whatever the outcome.
 */
export const cloudScan: WorkflowDef = {
  name: "cloud-scan",
  description:
    "Cloud account scan: validate credentials, collect per service x region, evaluate, alert, GRC evidence, notify",
  steps: [
    { state: "Validate", task: `${CLOUD_SCAN}/validate.ts`, label: "Validating credentials" },
    {
      state: "Collect",
      task: `${CLOUD_SCAN}/collect.ts`,
      label: "Collecting inventory",
      map: {
        itemsPath: "$.results.Validate.units",
        maxConcurrency: 8,
        retryOn: ["Throttled"],
      },
    },
    { state: "Evaluate", task: `${CLOUD_SCAN}/evaluate.ts`, label: "Evaluating checks" },
    { state: "Evidence", task: `${CLOUD_SCAN}/evidence.ts`, label: "Recording compliance evidence" },
    { state: "Notify", task: `${CLOUD_SCAN}/notify.ts`, label: "Sending notifications" },
  ],
  finish: `${CLOUD_SCAN}/finish.ts`,
  timeoutSeconds: 3600,
};

const SCAN = "functions/workflows/gateway-scan";

/**
 * A gateway security scan (shared/scans): one step per component, each reading a fresh snapshot
 * and running the component's checks; a step whose component the scan did not ask for returns at
 * once, and every step first honours a cancel request (the scan then ends `cancelled`).
 */
export const gatewayScan: WorkflowDef = {
  name: "gateway-scan",
  description: "Gateway security scan: authentication, firewall, certificates, SSH and network checks",
  steps: [
    { state: "ScanAuthentication", task: `${SCAN}/authentication.ts`, label: "authentication" },
    { state: "ScanFirewall", task: `${SCAN}/firewall.ts`, label: "firewall" },
    { state: "ScanCertificates", task: `${SCAN}/certificates.ts`, label: "certificates" },
    { state: "ScanSsh", task: `${SCAN}/ssh.ts`, label: "ssh" },
    { state: "ScanNetwork", task: `${SCAN}/network.ts`, label: "network" },
  ],
  finish: `${SCAN}/finish.ts`,
  timeoutSeconds: 900,
};

const TRAINING = "functions/workflows/insights-training";

/** Anomaly-model training (shared/insights/models.ts): fit and store the forest, then make it the active model. */
export const insightsTraining: WorkflowDef = {
  name: "insights-training",
  description: "Isolation-forest training: read the data, fit, evaluate on held-out labels, store, activate",
  steps: [
    { state: "Fit", task: `${TRAINING}/fit.ts`, label: "Fitting model" },
    { state: "Activate", task: `${TRAINING}/activate.ts`, label: "Activating model" },
  ],
  finish: `${TRAINING}/finish.ts`,
  timeoutSeconds: 900,
};

const FLEET_SYNC = "functions/workflows/fleet-sync";

/**
 * A settings change reaching the fleet (shared/fleet/fleet-sync.ts): the API saved config version N
 * of an area and answered without reading the fleet; `Plan` lists the gateways the change is for
 * (every gateway of the tenant, paged from the table, unless the start named them) and cuts them
 * into batches of 25 ids; the Map writes N to the named shadow of each, at most 10 batches at once,
 * each writing a few shadows at a time. Each write is ordered (a newer version saved meanwhile
 * supersedes it), throttling is retried with full jitter inside the batch, and every gateway's
 * outcome is recorded in the table. A batch never fails for one gateway; a batch that still fails is
 * skipped with its reason and its gateways show pending.
 *
 * Size limit: the batches live in the execution state (`$.results.Plan.batches`), and each Map
 * iteration receives that state too. Step Functions caps a state's payload at 256 KB; 1,000 gateways
 * take ~6 KB of ids, so an inline Map holds some 10,000s of gateways with room to spare. Beyond that,
 * Plan would write the batches to S3 (one JSON array) and the step would become a distributed Map
 * (`ProcessorConfig.Mode: DISTRIBUTED`) with an `ItemReader` on that object and an `ItemSelector`
 * passing only `params` to each child execution, and a `ResultWriter` for the counts.
 */
export const fleetSync: WorkflowDef = {
  name: "fleet-sync",
  description: "Settings fan-out: write one config version to the named shadow of every affected gateway",
  steps: [
    { state: "Plan", task: `${FLEET_SYNC}/plan.ts`, label: "Listing gateways" },
    {
      state: "WriteShadows",
      task: `${FLEET_SYNC}/write.ts`,
      label: "Writing shadows",
      map: { itemsPath: "$.results.Plan.batches", maxConcurrency: 10, retryOn: ["ShadowThrottled"] },
    },
  ],
  finish: `${FLEET_SYNC}/finish.ts`,
  timeoutSeconds: 900,
};

export const WORKFLOWS: readonly WorkflowDef[] = [
  certificateRenewal,
  cloudScan,
  gatewayScan,
  insightsTraining,
  fleetSync,
];

/**
 * The function id of a task module (its CDK id and `dist/functions/<id>`): the route table's rule
 * (shared/kit/route.ts `functionId`), `functions/workflows/a/b.ts` → `workflows-a-b`.
 */
export const taskFunctionId = (task: string): string =>
  task
    .replace(/^functions\//, "")
    .replace(/\.ts$/, "")
    .replace(/[^A-Za-z0-9]+/g, "-");

/** The `${…}` placeholder a task's ARN takes in the definition (substitution keys: letters, digits, _). */
export const taskPlaceholder = (task: string): string => taskFunctionId(task).replace(/-/g, "_");

/** Every task module of a workflow, the finisher included. */
export const workflowTasks = (def: WorkflowDef): string[] => [...def.steps.map((s) => s.task), def.finish];

/** Lambda's transient errors: retried with backoff before the Catch sees them. */
const TRANSIENT = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];
const RETRY = [{ ErrorEquals: TRANSIENT, IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }];

/** The inner state names of a Map step: its task, and the Pass state a failed iteration ends in. */
export const mapStates = (step: WorkflowStep) => ({ task: `${step.state}Item`, skipped: `${step.state}ItemSkipped` });

function mapState(step: WorkflowStep, map: NonNullable<WorkflowStep["map"]>, arn: string): Record<string, unknown> {
  const inner = mapStates(step);
  return {
    Type: "Map",
    Comment: step.label,
    ItemsPath: map.itemsPath,
    ItemSelector: { "state.$": "$", "item.$": "$$.Map.Item.Value" },
    MaxConcurrency: map.maxConcurrency,
    ItemProcessor: {
      ProcessorConfig: { Mode: "INLINE" },
      StartAt: inner.task,
      States: {
        [inner.task]: {
          Type: "Task",
          Resource: arn,
          Parameters: { "state.$": "$.state", "item.$": "$.item" },
          TimeoutSeconds: 300,
          Retry: [
            ...RETRY,
            {
              ErrorEquals: map.retryOn,
              IntervalSeconds: 2,
              MaxAttempts: 4,
              BackoffRate: 2,
              MaxDelaySeconds: 30,
              JitterStrategy: "FULL",
            },
          ],
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: inner.skipped }],
          End: true,
        },
        [inner.skipped]: {
          Type: "Pass",
          Parameters: { "item.$": "$.item", skipped: true, "error.$": "$.error" },
          End: true,
        },
      },
    },
  };
}

/** The definition's Amazon States Language, with `${placeholder}` for each task's function ARN. */
export function toAsl(def: WorkflowDef): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  const fail = { ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "RecordFailure" };
  def.steps.forEach((step, i) => {
    const next = def.steps[i + 1]?.state ?? "RecordSuccess";
    const arn = `\${${taskPlaceholder(step.task)}}`;
    // Every step records its result under its state name, so later steps read what earlier ones made.
    const common = { ResultPath: `$.results.${step.state}`, Retry: RETRY, Catch: [fail], Next: next };
    if (step.map) {
      states[step.state] = {
        ...mapState(step, step.map, arn),
        ResultPath: common.ResultPath,
        Catch: [fail],
        Next: next,
      };
      return;
    }
    states[step.state] = step.waitsForGateway
      ? {
          Type: "Task",
          Comment: step.label,
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Parameters: { FunctionName: arn, Payload: { "state.$": "$", "taskToken.$": "$$.Task.Token" } },
          TimeoutSeconds: GATEWAY_WAIT_SECONDS,
          ...common,
        }
      : {
          Type: "Task",
          Comment: step.label,
          Resource: arn,
          Parameters: { "state.$": "$" },
          TimeoutSeconds: 120,
          ...common,
        };
  });
  const finishArn = `\${${taskPlaceholder(def.finish)}}`;
  const finishTask = (outcome: "succeeded" | "failed", next: string) => ({
    Type: "Task",
    Resource: finishArn,
    Parameters: { outcome, "state.$": "$" },
    TimeoutSeconds: 60,
    Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
    Next: next,
  });
  states.RecordSuccess = { ...finishTask("succeeded", "Succeeded"), Catch: [fail] };
  states.RecordFailure = {
    ...finishTask("failed", "Failed"),
    // Even recording the failure failed: the execution still ends failed, the item stays "running"
    // until its lock expires.
    Catch: [{ ErrorEquals: ["States.ALL"], Next: "Failed" }],
  };
  states.Succeeded = { Type: "Succeed" };
  states.Failed = { Type: "Fail", Error: "WorkflowFailed", Cause: `${def.name} failed; see its progress item` };
  return {
    Comment: def.description,
    StartAt: def.steps[0]?.state ?? "RecordSuccess",
    TimeoutSeconds: def.timeoutSeconds,
    States: states,
  };
}

/** Jobs a schedule starts (EventBridge Scheduler in AWS, a timer locally): a worker function on a cron. */
export interface ScheduledJob {
  /** Module exporting `handler`; its worker row is in infra/workers.ts. */
  handler: string;
  /** EventBridge Scheduler expression, UTC. */
  expression: string;
  /** Local mode's timer: the next run after `now`. */
  next(now: Date): Date;
  description: string;
}

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  {
    handler: "functions/workflows/certificate-renewal/auto-renew.ts",
    expression: "cron(0 2 * * ? *)",
    next: (now) => {
      const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 2));
      if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 1);
      return at;
    },
    description: "Daily certificate auto-renew and expiry notices (02:00 UTC)",
  },
];
