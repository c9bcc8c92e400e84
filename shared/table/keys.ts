/**
 * The generic part of every key. Each entity's own keys are built in its area's `db/` file (and
 * only there: test/unit/structure.test.ts refuses a key string anywhere else); they all start
 * from `tenantPk`. The tenant id leads every tenant-owned partition key (`T#<tenant>…`), so an IAM
 * `dynamodb:LeadingKeys` condition can fence a tenant and no query can cross tenants by accident.
 *
 * The only partitions not led by a tenant are global identity pointers under `G#` (login names,
 * API-key hashes, the tenant-slug guard, per-address counters of anonymous callers): the tenant is
 * unknown before the lookup. Those items hold a pointer or a counter and nothing else.
 */
export const pad = (n: number, width = 10): string => String(n).padStart(width, "0");

export const tenantPk = (tenantId: string): string => `T#${tenantId}`;
export const isTenantKey = (tenantId: string, key: unknown): boolean =>
  typeof key === "string" && (key === tenantPk(tenantId) || key.startsWith(`${tenantPk(tenantId)}#`));

/** A per-tenant counter item (repo.ts `nextId`): `T#<tenant>` / `COUNTER#<name>`. */
export const counterKey = (tenantId: string, name: string) => ({ PK: tenantPk(tenantId), SK: `COUNTER#${name}` });

export type Key = { PK: string; SK: string };
