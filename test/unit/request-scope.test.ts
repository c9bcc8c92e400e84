/**
 * The request scope (shared/table/request-scope.ts): in a process that serves one request at a time
 * (a Lambda environment) a scope is the process's slot, without async_hooks; a second scope opened
 * while one is open turns the process to AsyncLocalStorage for good, and every request keeps seeing
 * its own scope through its awaits whichever of the two holds it.
 */
import { setImmediate as tick } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { oneRequestAtATime, RequestScope } from "#shared/table/request-scope.ts";

/** A request: reads its scope, yields to the event loop a few times, reads it again. */
async function request(scope: RequestScope<{ id: string }>, id: string, turns = 3): Promise<string[]> {
  return scope.run({ id }, async () => {
    const seen = [scope.getStore()?.id ?? "none"];
    for (let i = 0; i < turns; i++) {
      await tick();
      seen.push(scope.getStore()?.id ?? "none");
    }
    return seen;
  });
}

describe("when the process serves one request at a time", () => {
  it("holds each request's scope through its awaits, and none between requests", async () => {
    const scope = new RequestScope<{ id: string }>(true);

    const first = await request(scope, "a");
    const between = scope.getStore();
    const second = await request(scope, "b");

    expect(first).toEqual(["a", "a", "a", "a"]);
    expect(between).toBeUndefined();
    expect(second).toEqual(["b", "b", "b", "b"]);
    expect(scope.usesSlot).toBe(true);
  });

  it("closes the scope when the request throws, synchronously or not", async () => {
    const scope = new RequestScope<{ id: string }>(true);

    expect(() =>
      scope.run({ id: "a" }, () => {
        throw new Error("sync");
      }),
    ).toThrow("sync");
    await expect(
      scope.run({ id: "b" }, async () => {
        await tick();
        throw new Error("async");
      }),
    ).rejects.toThrow("async");

    expect(scope.getStore()).toBeUndefined();
    expect(await request(scope, "c", 1)).toEqual(["c", "c"]);
  });

  it("keeps concurrent requests apart if a second arrives while one is open, and stays async-local", async () => {
    const scope = new RequestScope<{ id: string }>(true);

    const [a, b, c] = await Promise.all([request(scope, "a", 5), request(scope, "b", 5), request(scope, "c", 2)]);
    const after = scope.getStore();
    const [d, e] = await Promise.all([request(scope, "d"), request(scope, "e")]);

    expect(a).toEqual(Array(6).fill("a"));
    expect(b).toEqual(Array(6).fill("b"));
    expect(c).toEqual(Array(3).fill("c"));
    expect(after).toBeUndefined();
    expect(d).toEqual(Array(4).fill("d"));
    expect(e).toEqual(Array(4).fill("e"));
    expect(scope.usesSlot).toBe(false);
  });

  it("gives a scope nested in a request its own store, and the request its own again after it", async () => {
    const scope = new RequestScope<{ id: string }>(true);

    const seen = await scope.run({ id: "outer" }, async () => {
      const inner = await request(scope, "inner", 2);
      await tick();
      return [...inner, scope.getStore()?.id];
    });

    expect(seen).toEqual(["inner", "inner", "inner", "outer"]);
  });
});

describe("where requests run concurrently (local mode, tests)", () => {
  it("keeps each request's scope with AsyncLocalStorage", async () => {
    const scope = new RequestScope<{ id: string }>(false);

    const [a, b] = await Promise.all([request(scope, "a"), request(scope, "b")]);

    expect(a).toEqual(Array(4).fill("a"));
    expect(b).toEqual(Array(4).fill("b"));
    expect(scope.getStore()).toBeUndefined();
    expect(scope.usesSlot).toBe(false);
  });
});

describe("oneRequestAtATime", () => {
  const lambda = { AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001" };
  const node22 = (env: NodeJS.ProcessEnv, execArgv: string[] = []) => oneRequestAtATime(env, execArgv, "22.23.3");

  it("is true only under the Lambda runtime with one invocation per environment", () => {
    expect(node22({})).toBe(false);
    expect(node22({ AWS_LAMBDA_RUNTIME_API: "" })).toBe(false);
    // Lambda Managed Instances run several invocations in one process.
    expect(node22({ ...lambda, AWS_LAMBDA_MAX_CONCURRENCY: "64" })).toBe(false);
    expect(node22(lambda)).toBe(true);
    expect(node22({ ...lambda, AWS_LAMBDA_MAX_CONCURRENCY: "1" })).toBe(true);
  });

  it("is false where AsyncLocalStorage runs on AsyncContextFrame (no promise hooks to save)", () => {
    expect(node22(lambda, ["--experimental-async-context-frame"])).toBe(false);
    expect(oneRequestAtATime(lambda, [], "24.11.0")).toBe(false);
    expect(oneRequestAtATime(lambda, ["--no-async-context-frame"], "24.11.0")).toBe(true);
  });
});
