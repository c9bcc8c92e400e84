/**
 * Functions no HTTP route or IoT rule invokes: table-stream handlers (WebSocket and webhook
 * fan-out, evidence re-evaluation), scheduled sweeps and Step Functions tasks. A workflows stack finds its task functions in `functions`.
 */
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction as LambdaTarget } from "aws-cdk-lib/aws-events-targets";
import { FilterCriteria, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import type { Construct } from "constructs";
import { acknowledgeStreamRead } from "../constructs/nag.ts";
import { type PlatformResources, WardenFunction } from "../constructs/warden-function.ts";
import type { Worker } from "../workers.ts";

export interface WorkersStackProps extends StackProps {
  /** Workers with trigger "table-stream", "schedule" or "none". */
  workers: Worker[];
  assetsDir: string;
  platform: PlatformResources;
  /** The data stack's table, for its stream. */
  table: ITable;
}

export class WorkersStack extends Stack {
  readonly functions = new Map<string, WardenFunction>();
  /** Ids of the table-stream workers (the monitoring stack alarms on their iterator age). */
  readonly streamWorkers = new Set<string>();

  constructor(scope: Construct, id: string, props: WorkersStackProps) {
    super(scope, id, props);

    for (const worker of props.workers) {
      if (worker.trigger === "iot-events" || worker.trigger === "iot-shadow-documents")
        throw new Error(`worker ${worker.id}: IoT rule targets belong in the IoT stack`);
      const fn = new WardenFunction(this, worker.id, {
        functionId: worker.id,
        assetsDir: props.assetsDir,
        description: `Worker ${worker.id} (${worker.trigger})`,
        needs: worker.access,
        platform: props.platform,
        // Not behind API Gateway's 29 s: a stream batch may hold slow deliveries with retries.
        timeout: Duration.minutes(5),
        ...(props.platform.concurrency && { reservedConcurrency: props.platform.concurrency.worker }),
      });
      if (worker.trigger === "table-stream") {
        this.streamWorkers.add(worker.id);
        fn.alias.addEventSource(
          new DynamoEventSource(props.table, {
            startingPosition: StartingPosition.LATEST,
            batchSize: 100,
            // A poison record is isolated by halving the batch and, after the retries, skipped
            // instead of blocking its shard for the stream's 24 hours.
            bisectBatchOnError: true,
            retryAttempts: 5,
            maxRecordAge: Duration.hours(1),
            // The handler returns `batchItemFailures` (shared/table/stream.ts) to retry from the
            // record that failed; a batch that still fails is parked in the function's on-failure
            // queue (its shard and sequence range; `npm run redrive` reads it back from the stream).
            reportBatchItemFailures: true,
            onFailure: new SqsDlq(fn.keepFailures()),
            ...((worker.streamFilter || worker.streamFilters) && {
              filters: [...(worker.streamFilter ? [worker.streamFilter] : []), ...(worker.streamFilters ?? [])].map(
                (f) => FilterCriteria.filter(f),
              ),
            }),
          }),
        );
        acknowledgeStreamRead(fn.role);
      }
      if (worker.trigger === "schedule") {
        if (!worker.schedule) throw new Error(`worker ${worker.id}: a scheduled worker needs its schedule expression`);
        new Rule(this, `${worker.id}-Schedule`, {
          description: `Runs ${worker.id} (${worker.schedule})`,
          schedule: Schedule.expression(worker.schedule),
          // One missed tick is made up by the next: no retries that would pile runs on top of each other.
          // A tick EventBridge could not deliver at all is kept in the function's on-failure queue.
          targets: [new LambdaTarget(fn.alias, { retryAttempts: 0, deadLetterQueue: fn.keepFailures() })],
        });
      }
      if (worker.trigger === "schedule" || worker.invokedAsync) {
        // Invoked asynchronously (through the \`live\` alias, so the setting is the alias's): an
        // invocation that fails after Lambda's retries is kept, with its payload and error, in the
        // on-failure queue instead of vanishing. A sweep ("schedule") is not retried: its next tick
        // does the same work.
        fn.alias.configureAsyncInvoke({
          retryAttempts: worker.trigger === "schedule" ? 0 : 2,
          maxEventAge: Duration.hours(6),
          onFailure: new SqsDestination(fn.keepFailures()),
        });
      }
      this.functions.set(worker.id, fn);
    }
  }
}
