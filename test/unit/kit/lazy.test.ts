import { describe, expect, it } from "vitest";
import { onFirstUse } from "#shared/kit/lazy.ts";

describe("onFirstUse", () => {
  it("loads once, on the first call, and every caller shares the value", async () => {
    let loads = 0;
    const get = onFirstUse(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([get(), get()]);
    expect(await get()).toBe(a);
    expect(b).toBe(a);
    expect(loads).toBe(1);
  });

  it("does not keep a failed load: the next call tries again", async () => {
    let loads = 0;
    const get = onFirstUse(async () => {
      loads += 1;
      if (loads === 1) throw new Error("module not found");
      return "client";
    });
    await expect(get()).rejects.toThrow("module not found");
    expect(await get()).toBe("client");
    expect(await get()).toBe("client");
    expect(loads).toBe(2);
  });
});
