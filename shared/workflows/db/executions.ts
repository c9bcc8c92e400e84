/**
 * A workflow execution as the API sees it, its start lock and its gateway waits:
 *
 *   T#<tenant> / WFEXEC#<execution id>                progress and result (status, step, steps_done, error)
 *   T#<tenant> / WFLOCK#<workflow>#<subject>          one running execution per subject (idempotent start)
 *   T#<tenant> / WFWAIT#<wait key>                    a task token waiting for a gateway's answer (TTL)
 *
 * Access patterns: get an execution by id (GET …/renewals/{id}); start = one transaction (new
 * execution + lock, the lock only when absent or expired); progress = UpdateItem on the execution;
 * a gateway's answer = get-and-delete of the wait item. No Scan, no DescribeExecution.
 */
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { getItem, type Item, transact, updateIf } from "#shared/table/repo.ts";

export const EXECUTION_STATUSES = ["running", "succeeded", "failed"] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const ExecutionItem = z.object({
  executionId: z.string(),
  workflow: z.string(),
  subject: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  step: z.nullable(z.string()),
  stepsDone: z._default(z.array(z.string()), []),
  error: z._default(z.nullable(z.string()), null),
  /** What the workflow chose to keep of its outcome (e.g. the new certificate's fingerprint). */
  result: z._default(z.nullable(z.record(z.string(), z.unknown())), null),
  startedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z._default(z.nullable(z.string()), null),
});
export type ExecutionItem = z.infer<typeof ExecutionItem>;

const execKey = (tenantId: string, executionId: string) => ({ PK: tenantPk(tenantId), SK: `WFEXEC#${executionId}` });
const lockKey = (tenantId: string, workflow: string, subject: string) => ({
  PK: tenantPk(tenantId),
  SK: `WFLOCK#${workflow}#${subject}`,
});
const waitKey = (tenantId: string, key: string) => ({ PK: tenantPk(tenantId), SK: `WFWAIT#${key}` });

export async function getExecution(tenantId: string, executionId: string): Promise<ExecutionItem | undefined> {
  const item = await getItem(execKey(tenantId, executionId), true);
  return item ? ExecutionItem.parse(item) : undefined;
}

/**
 * Creates the execution and takes the subject's lock in one transaction. Answers false (nothing
 * written) when another execution holds the lock and it has not expired.
 */
export async function createExecution(
  tenantId: string,
  e: Pick<ExecutionItem, "executionId" | "workflow" | "subject" | "startedBy" | "startedAt">,
  lockSeconds: number,
): Promise<boolean> {
  const now = Math.floor(Date.parse(e.startedAt) / 1000);
  try {
    await transact([
      {
        Put: {
          TableName: tableName,
          Item: {
            ...execKey(tenantId, e.executionId),
            type: "WorkflowExecution",
            ...e,
            status: "running",
            step: null,
            stepsDone: [],
            error: null,
            result: null,
            finishedAt: null,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: {
            ...lockKey(tenantId, e.workflow, e.subject),
            type: "WorkflowLock",
            executionId: e.executionId,
            expiresAt: now + lockSeconds,
          },
          ConditionExpression: "attribute_not_exists(PK) OR expiresAt < :now",
          ExpressionAttributeValues: { ":now": now },
        },
      },
    ]);
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 409) return false;
    throw e;
  }
}

/** The execution holding a subject's lock, if any. */
export async function lockHolder(tenantId: string, workflow: string, subject: string): Promise<string | undefined> {
  const item = await getItem(lockKey(tenantId, workflow, subject), true);
  return typeof item?.executionId === "string" ? item.executionId : undefined;
}

export async function releaseLock(tenantId: string, workflow: string, subject: string, executionId: string) {
  await db
    .send(
      new DeleteCommand({
        TableName: tableName,
        Key: lockKey(tenantId, workflow, subject),
        ConditionExpression: "executionId = :id",
        ExpressionAttributeValues: { ":id": executionId },
      }),
    )
    .catch((e: { name?: string }) => {
      if (e.name !== "ConditionalCheckFailedException") throw e;
    });
}

/** Marks `step` as the running step (only while the execution runs). */
export async function setStep(tenantId: string, executionId: string, step: string): Promise<void> {
  await updateIf({
    key: execKey(tenantId, executionId),
    update: "SET #step = :step",
    condition: "#status = :running",
    names: { "#step": "step", "#status": "status" },
    values: { ":step": step, ":running": "running" },
  });
}

export async function addStepDone(tenantId: string, executionId: string, step: string): Promise<void> {
  await updateIf({
    key: execKey(tenantId, executionId),
    update: "SET stepsDone = list_append(stepsDone, :done)",
    condition: "#status = :running AND NOT contains(stepsDone, :step)",
    names: { "#status": "status" },
    values: { ":done": [step], ":step": step, ":running": "running" },
  });
}

/** Ends a running execution; answers the item after, or undefined when it had already ended. */
export async function endExecution(
  tenantId: string,
  executionId: string,
  end: { status: "succeeded" | "failed"; error: string | null; result: Item | null; at: string },
): Promise<ExecutionItem | undefined> {
  const item = await updateIf({
    key: execKey(tenantId, executionId),
    update: "SET #status = :status, #error = :error, #result = :result, finishedAt = :at",
    condition: "#status = :running",
    names: { "#status": "status", "#error": "error", "#result": "result" },
    values: { ":status": end.status, ":error": end.error, ":result": end.result, ":at": end.at, ":running": "running" },
  });
  return item ? ExecutionItem.parse(item) : undefined;
}

/** Deletes an execution that never started (its start failed after the transaction). */
export async function deleteExecution(tenantId: string, executionId: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: tableName, Key: execKey(tenantId, executionId) }));
}

export const WaitItem = z.object({
  token: z.string(),
  executionId: z.string(),
  step: z.string(),
});
export type WaitItem = z.infer<typeof WaitItem>;

export async function putWait(tenantId: string, key: string, wait: WaitItem, ttlSeconds: number): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...waitKey(tenantId, key),
        type: "WorkflowWait",
        ...wait,
        expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds,
      },
    }),
  );
}

/** Takes a wait (read and delete in one call): the first answer completes it, later ones find nothing. */
export async function takeWait(tenantId: string, key: string): Promise<WaitItem | undefined> {
  const out = await db.send(
    new DeleteCommand({ TableName: tableName, Key: waitKey(tenantId, key), ReturnValues: "ALL_OLD" }),
  );
  return out.Attributes ? WaitItem.parse(out.Attributes) : undefined;
}
