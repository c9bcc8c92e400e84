/**
 * Storage of the emergency system lock's companions: the tenant's admin PIN (one settings item,
 * `T#<tenant>` / `SETTINGS#system-lock:pin`, holding only a scrypt hash) and the sequence lock ids
 * are drawn from. The lock itself lives on the tenant item (tenants.ts).
 *
 * Access patterns: read the PIN (consistent GetItem), set it (PutItem if new, else versioned UpdateItem).
 */
import * as z from "zod/mini";
import { type Key, tenantPk } from "#shared/table/keys.ts";
import { getItem, putNew, updateVersioned } from "#shared/table/repo.ts";

export const lockPinKey = (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: "SETTINGS#system-lock:pin" });

/** The per-tenant sequence of lock ids (`LOCK-001`…), drawn with shared/table/repo.ts `nextId`. */
export const LOCK_SEQUENCE = "lock";

export const LockPinItem = z.object({
  pinHash: z._default(z.nullable(z.string()), null),
  updatedAt: z._default(z.nullable(z.string()), null),
  updatedBy: z._default(z.nullable(z.string()), null),
  /** 0: no PIN stored yet. */
  version: z._default(z.number(), 0),
});
export type LockPin = z.infer<typeof LockPinItem>;

export async function getLockPin(tenantId: string): Promise<LockPin> {
  return LockPinItem.parse((await getItem(lockPinKey(tenantId), true)) ?? {});
}

/** Stores a new PIN hash over the one read at `current.version`; a concurrent change is a 409. */
export async function saveLockPin(
  tenantId: string,
  current: { version: number },
  pin: { pinHash: string; updatedAt: string; updatedBy: string },
): Promise<void> {
  if (current.version === 0) {
    await putNew({ ...lockPinKey(tenantId), type: "Settings", name: "system-lock:pin", ...pin }, "Emergency PIN");
    return;
  }
  await updateVersioned(lockPinKey(tenantId), current.version, pin, "Emergency PIN");
}
