/**
 * The data layer's guarantees, against DynamoDB Local: a lost update is a 409, guard items keep
 * values unique across a transaction, counters never hand out an id twice, and a cursor can only
 * continue a query of the tenant that received it.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { userKeys } from "#shared/identity/db/users.ts";
import { Conflict, Invalid } from "#shared/kit/errors.ts";
import { tenantPk } from "#shared/table/keys.ts";
import {
  decodeCursor,
  getItem,
  guardPut,
  newItemPut,
  nextId,
  putNew,
  queryPage,
  transact,
  updateVersioned,
} from "#shared/table/repo.ts";

const tenant = () => `t-${randomUUID().slice(0, 8)}`;

describe("data layer", () => {
  it("refuses a write based on a stale version with a 409 and keeps the winner's data", async () => {
    const t = tenant();
    const key = { PK: tenantPk(t), SK: "THING#1" };
    await putNew({ ...key, name: "original" });
    await updateVersioned(key, 1, { name: "first writer" });
    await expect(updateVersioned(key, 1, { name: "second writer" })).rejects.toMatchObject({ statusCode: 409 });
    expect(await getItem(key, true)).toMatchObject({ name: "first writer", version: 2 });
  });

  it("writes all items of a transaction or none, naming the guard that clashed", async () => {
    const t = tenant();
    const name = `unique-${randomUUID()}`;
    await transact([guardPut(userKeys.login(name), { tenantId: t, userId: 1 })]);
    const err = await transact(
      [newItemPut({ PK: tenantPk(t), SK: "USER#x" }), guardPut(userKeys.login(name), { tenantId: t, userId: 2 })],
      [undefined, `username '${name}' is already taken`],
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect((err as Conflict).message).toContain(name);
    expect(await getItem({ PK: tenantPk(t), SK: "USER#x" }, true)).toBeUndefined();
  });

  it("hands out per-tenant ids without gaps or duplicates under concurrency", async () => {
    const t = tenant();
    const ids = await Promise.all(Array.from({ length: 20 }, () => nextId(t, "rule")));
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await nextId(tenant(), "rule")).toBe(1);
  });

  it("pages with an opaque cursor that another tenant cannot use", async () => {
    const t = tenant();
    for (let i = 0; i < 5; i++) await putNew({ PK: tenantPk(t), SK: `ITEM#${i}` });
    const first = await queryPage({ tenantId: t, pk: tenantPk(t), skBeginsWith: "ITEM#", limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.cursor).toBeTruthy();
    const second = await queryPage({
      tenantId: t,
      pk: tenantPk(t),
      skBeginsWith: "ITEM#",
      limit: 2,
      cursor: first.cursor,
    });
    expect(second.items.map((i) => i.SK)).toEqual(["ITEM#2", "ITEM#3"]);
    expect(() => decodeCursor("someone-else", first.cursor ?? "")).toThrow(Invalid);
    expect(() => decodeCursor(t, "not-a-cursor")).toThrow(Invalid);
  });

  it("never queries a partition that is not led by the tenant", async () => {
    await expect(queryPage({ tenantId: "a", pk: "G#LOGIN#x" })).rejects.toThrow(/not tenant-scoped/);
  });
});
