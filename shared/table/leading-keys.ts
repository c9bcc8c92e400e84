/**
 * The policy evaluation Warden ships for tenant-scoped table access: the same decision IAM makes
 * for a tenant session (infra/stacks/data-stack.ts, the tenant-access role, intersected with the
 * route's own table statements passed as the session policy), made in the SDK before a command is
 * sent. Local mode and the tests have no IAM in front of DynamoDB Local, so without this the
 * tenant fence would be untested; in AWS it is a second, earlier refusal of what IAM refuses too.
 *
 * What IAM checks, and this module reproduces:
 *   - the action: each command is authorized per item action (TransactWriteItems per Put/Update/
 *     Delete/ConditionCheck, TransactGetItems per GetItem; BatchGetItem and BatchWriteItem are
 *     actions of their own); a command outside the table actions below is refused (Scan included);
 *   - `dynamodb:LeadingKeys` with `ForAllValues:StringLike`: every partition key value the request
 *     touches (the item's `PK`, or for a Query the partition key of the table or of the queried
 *     GSI, `GSI1PK`/`GSI2PK`) must match one of the patterns (`*` any run, `?` one character);
 *   - `dynamodb:LeadingKeys` with `ForAllValues:StringNotLike` (in the same statement: both must
 *     hold): no partition key value the request touches may match any of those patterns (the
 *     tenant's writes exclude its audit partitions this way);
 * A statement without a LeadingKeys condition allows the action on any key.
 */
import { TABLE } from "./table.ts";

/** One statement on the table and its indexes, as access-policy.ts writes it into IAM. */
export interface TableStatement {
  actions: readonly string[];
  /** `ForAllValues:StringLike` `dynamodb:LeadingKeys` patterns; absent: any key. */
  leadingKeys?: readonly string[];
  /** `ForAllValues:StringNotLike` `dynamodb:LeadingKeys` patterns: keys the statement does NOT cover. */
  exceptLeadingKeys?: readonly string[];
  /**
   * `ForAllValues:StringEquals` `dynamodb:Attributes`: the only attributes a PutItem may carry
   * (the audit append: a record's own fields, never the chain fields the linker adds); absent: any.
   */
  attributes?: readonly string[];
}

export const TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"] as const;
/**
 * TransactWriteItems has no action of its own: IAM authorizes each item by its Put/Update/Delete/
 * ConditionCheck action, so these cover transactions too. BatchWriteItem is its own action.
 */
export const TABLE_WRITE = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:BatchWriteItem",
] as const;

/**
 * The partitions of one tenant: its root partition `T#<tenant>` and every partition under it
 * (`T#<tenant>#…`). Tenant ids are slugs without `#` (tenancy/tenants.ts), so `T#a#*` never
 * matches tenant `ab`'s keys, and the exact `T#a` cannot be widened by a prefix either.
 */
export const tenantPartitions = (tenant: string): string[] => [`T#${tenant}`, `T#${tenant}#*`];

/** One (action, partition key) pair a command asks IAM for. `key` undefined: none could be read. */
export interface Touch {
  action: string;
  key: string | undefined;
  /** A PutItem's attribute names (what `dynamodb:Attributes` sees). */
  attributes?: string[];
}

type Item = Record<string, unknown> | undefined;

/** A key attribute, plain (document client input) or marshalled (`{ S: "…" }`). */
function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { S?: unknown }).S === "string") {
    return (value as { S: string }).S;
  }
  return undefined;
}

const pk = (item: Item) => str(item?.[TABLE.partitionKey]);

/** The partition key value a Query's key condition fixes (`<pk> = :v`, names and values resolved). */
function queryKey(input: Record<string, unknown>): string | undefined {
  const index = TABLE.indexes.find((i) => i.name === input.IndexName);
  if (input.IndexName !== undefined && !index) return undefined;
  const attribute = index ? index.partitionKey : TABLE.partitionKey;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const condition = typeof input.KeyConditionExpression === "string" ? input.KeyConditionExpression : "";
  for (const [, name, value] of condition.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const resolved = name?.startsWith("#") ? names[name] : name;
    if (resolved === attribute && value) return str(values[value]);
  }
  return undefined;
}

/** Every (action, partition key) a DynamoDB command touches; an unknown command touches `[unknown, undefined]`. */
export function touches(commandName: string, input: Record<string, unknown>): Touch[] {
  const name = commandName.replace(/Command$/, "");
  const one = (action: string, key: string | undefined): Touch[] => [{ action: `dynamodb:${action}`, key }];
  switch (name) {
    case "GetItem":
    case "UpdateItem":
    case "DeleteItem":
      return one(name, pk(input.Key as Item));
    case "PutItem":
      return [{ action: "dynamodb:PutItem", key: pk(input.Item as Item), attributes: Object.keys(input.Item ?? {}) }];
    case "Query":
      return one(name, queryKey(input));
    case "BatchGetItem": {
      const requests = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: Item[] }>);
      return requests.flatMap((r) => (r.Keys ?? []).map((k) => ({ action: "dynamodb:BatchGetItem", key: pk(k) })));
    }
    case "BatchWriteItem": {
      const requests = Object.values((input.RequestItems ?? {}) as Record<string, WriteRequest[]>).flat();
      return requests.map((r) => ({
        action: "dynamodb:BatchWriteItem",
        key: pk(r.PutRequest?.Item ?? r.DeleteRequest?.Key),
      }));
    }
    case "TransactWriteItems":
      return ((input.TransactItems ?? []) as TransactWrite[]).map((t) =>
        t.Put
          ? { action: "dynamodb:PutItem", key: pk(t.Put.Item), attributes: Object.keys(t.Put.Item ?? {}) }
          : t.Update
            ? { action: "dynamodb:UpdateItem", key: pk(t.Update.Key) }
            : t.Delete
              ? { action: "dynamodb:DeleteItem", key: pk(t.Delete.Key) }
              : { action: "dynamodb:ConditionCheckItem", key: pk(t.ConditionCheck?.Key) },
      );
    case "TransactGetItems":
      return ((input.TransactItems ?? []) as { Get?: { Key?: Item } }[]).map((t) => ({
        action: "dynamodb:GetItem",
        key: pk(t.Get?.Key),
      }));
    default:
      return one(name, undefined);
  }
}

interface WriteRequest {
  PutRequest?: { Item?: Item };
  DeleteRequest?: { Key?: Item };
}
interface TransactWrite {
  Put?: { Item?: Item };
  Update?: { Key?: Item };
  Delete?: { Key?: Item };
  ConditionCheck?: { Key?: Item };
}

/** IAM `StringLike`: `*` matches any run of characters, `?` exactly one; case-sensitive. */
export function stringLike(pattern: string, value: string): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "s").test(value);
}

/** Whether one statement allows one touch. */
function allows(statement: TableStatement, touch: Touch): boolean {
  if (!statement.actions.includes(touch.action)) return false;
  const { attributes } = statement;
  if (attributes && !(touch.attributes ?? []).every((a) => attributes.includes(a))) return false;
  const { leadingKeys, exceptLeadingKeys } = statement;
  if (!leadingKeys && !exceptLeadingKeys) return true;
  // ForAllValues over an empty set is true in IAM; a touch whose key we cannot read is refused
  // here instead (fail closed): every command Warden sends names its partition key.
  const key = touch.key;
  if (key === undefined) return false;
  if (leadingKeys && !leadingKeys.some((p) => stringLike(p, key))) return false;
  return !exceptLeadingKeys?.some((p) => stringLike(p, key));
}

/**
 * The decision for a command under a set of policies that must ALL allow it (IAM intersects an
 * identity policy with a session policy): the first touch some policy does not allow, or undefined.
 */
export function firstDenied(touched: Touch[], policies: readonly (readonly TableStatement[])[]): Touch | undefined {
  return touched.find((t) => !policies.every((statements) => statements.some((s) => allows(s, t))));
}
