/**
 * A tenant's settings document: one versioned item under `T#<tenant>` / `SETTINGS#<name>`, holding
 * only what the tenant set; readers parse it with the owner's zod schema, whose defaults overlay
 * what is missing, so a new field reaches old tenants with its default. Each area declares its own
 * documents in its `db/` (e.g. the webhook's in webhooks/db/) with `settingsDocument`.
 */
import type * as z from "zod/mini";
import { tenantPk } from "./keys.ts";
import { batchGet, getItem, type Item, putNew, updateVersioned } from "./repo.ts";

type Schema = z.ZodMiniType<{ version: number }>;

export interface SettingsDocument<S extends Schema> {
  readonly name: string;
  key(tenantId: string): { PK: string; SK: string };
  parse(item: Item | undefined): z.output<S>;
  get(tenantId: string, consistent?: boolean): Promise<z.output<S>>;
  /**
   * Writes the document read at `current.version` (0: not stored yet). A concurrent writer makes
   * this a 409, never a lost update.
   */
  save(tenantId: string, current: { version: number }, changes: Partial<Omit<z.output<S>, "version">>): Promise<void>;
}

/** `sortKeyName` is the stored item's name (`SETTINGS#<sortKeyName>`), kept stable across renames. */
export function settingsDocument<S extends Schema>(name: string, schema: S, sortKeyName = name): SettingsDocument<S> {
  const key = (tenantId: string) => ({ PK: tenantPk(tenantId), SK: `SETTINGS#${sortKeyName}` });
  const parse = (item: Item | undefined) => schema.parse(item ?? {});
  return {
    name,
    key,
    parse,
    get: async (tenantId, consistent = false) => parse(await getItem(key(tenantId), consistent)),
    async save(tenantId, current, changes) {
      const updatedAt = new Date().toISOString();
      if (current.version === 0) {
        await putNew({ ...key(tenantId), type: "Settings", name, ...changes, updatedAt }, `${name} settings`);
        return;
      }
      await updateVersioned(key(tenantId), current.version, { ...changes, updatedAt }, `${name} settings`);
    },
  };
}

/** Several settings documents of one tenant (of any areas) in one BatchGetItem. */
export async function getSettingsDocuments<const D extends readonly SettingsDocument<Schema>[]>(
  tenantId: string,
  docs: D,
): Promise<{ [I in keyof D]: D[I] extends SettingsDocument<infer S> ? z.output<S> : never }> {
  const items = await batchGet(docs.map((d) => d.key(tenantId)));
  return docs.map((d, i) => d.parse(items[i])) as {
    [I in keyof D]: D[I] extends SettingsDocument<infer S> ? z.output<S> : never;
  };
}
