/**
 * A tenant's billing account with Stripe, and the webhook events already handled:
 *
 *   T#<t> / BILLING                   the account: Stripe customer and subscription, the plan Stripe
 *                                     confirmed, a plan waiting for confirmation, grace after a failed
 *                                     invoice, and the newest Stripe object time applied (ordering)
 *   G#STRIPE#CUS#<customer> / CUSTOMER  customer → tenant (webhooks name the customer)
 *   G#STRIPE#EVT#<event> / EVENT        an event id claimed for handling (dedup; kept 30 days)
 *
 * Access patterns: get the account (GetItem), create it with its customer pointer (TransactWrite),
 * versioned update, tenant of a customer (GetItem), claim an event (conditional Put), release a
 * claim whose handling failed (Delete), so Stripe's retry handles it.
 */
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { getItem, guardPut, newItemPut, transact, updateVersioned, versionedUpdateItem } from "#shared/table/repo.ts";

export const accountKeys = {
  account: (tenantId: string) => ({ PK: tenantPk(tenantId), SK: "BILLING" }),
  customer: (customerId: string) => ({ PK: `G#STRIPE#CUS#${customerId}`, SK: "CUSTOMER" }),
  event: (eventId: string) => ({ PK: `G#STRIPE#EVT#${eventId}`, SK: "EVENT" }),
};

export const BillingAccountItem = z.object({
  tenantId: z.string(),
  customerId: z.optional(z.string()),
  subscriptionId: z.optional(z.string()),
  subscriptionItemId: z.optional(z.string()),
  /** Stripe's subscription status (active, trialing, past_due, canceled, incomplete…). */
  subscriptionStatus: z.optional(z.string()),
  /** The plan a change asked for, until a verified event (or Stripe's synchronous answer) confirms it. */
  pendingPlan: z.optional(z.nullable(z.string())),
  /** Epoch seconds of the newest Stripe object state applied; older events change nothing. */
  stateAt: z._default(z.number(), 0),
  /** After a failed invoice: the paid plan is kept until then, and falls back to free after. */
  graceUntil: z.optional(z.nullable(z.string())),
  trialEnd: z.optional(z.nullable(z.string())),
  notices: z._default(z.array(z.object({ at: z.string(), message: z.string() })), []),
  version: z.number(),
});
export type BillingAccount = z.infer<typeof BillingAccountItem>;

export async function getAccount(tenantId: string, consistent = false): Promise<BillingAccount | undefined> {
  const item = await getItem(accountKeys.account(tenantId), consistent);
  return item ? BillingAccountItem.parse(item) : undefined;
}

/** Creates the account (with its customer pointer when there is a customer); a concurrent creation is a 409. */
export async function createAccount(tenantId: string, customerId?: string): Promise<void> {
  await transact(
    [
      newItemPut({
        ...accountKeys.account(tenantId),
        type: "BillingAccount",
        tenantId,
        stateAt: 0,
        notices: [],
        ...(customerId ? { customerId } : {}),
      }),
      ...(customerId ? [guardPut(accountKeys.customer(customerId), { tenantId })] : []),
    ],
    ["billing account already exists", "Stripe customer already belongs to a tenant"],
  );
}

/** Records the customer of an account that had none (a pointer guard makes a customer one tenant's). */
export async function attachCustomer(account: BillingAccount, customerId: string): Promise<void> {
  await transact(
    [
      versionedUpdateItem(accountKeys.account(account.tenantId), account.version, { customerId }),
      guardPut(accountKeys.customer(customerId), { tenantId: account.tenantId }),
    ],
    ["billing account changed concurrently; retry", "Stripe customer already belongs to a tenant"],
  );
}

export async function updateAccount(account: BillingAccount, changes: Partial<Omit<BillingAccount, "version">>) {
  await updateVersioned(accountKeys.account(account.tenantId), account.version, changes, "Billing account");
}

export async function tenantOfCustomer(customerId: string): Promise<string | undefined> {
  const item = await getItem(accountKeys.customer(customerId), true);
  return typeof item?.tenantId === "string" ? item.tenantId : undefined;
}

/** Claims an event id; false when it was claimed before (a redelivery). */
export async function claimEvent(eventId: string, type: string): Promise<boolean> {
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...accountKeys.event(eventId),
          type: "StripeEvent",
          eventType: type,
          expiresAt: Math.floor(Date.now() / 1000) + 30 * 86_400,
        },
        ConditionExpression: "attribute_not_exists(PK)",
      }),
    );
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
    throw e;
  }
}

export async function releaseEvent(eventId: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: tableName, Key: accountKeys.event(eventId) }));
}
