/**
 * The endpoint kit's promises that no single route test pins down: an unexpected exception never
 * leaks internals, each surface renders errors its own way, and the order of checks holds.
 */
import { randomUUID } from "node:crypto";
import { ProvisionedThroughputExceededException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { lambdaContext } from "#infra/local/api-server.ts";
import { defineEndpoint, type Handler, RawResponse, type Schemas } from "#shared/kit/endpoint.ts";
import { Conflict } from "#shared/kit/errors.ts";
import { type RouteDef, routeKey } from "#shared/kit/route.ts";

const route = (over: Partial<RouteDef>): RouteDef => ({
  method: "POST",
  path: "/kit-test",
  handler: "test-only",
  permission: null,
  surface: "gateway",
  rateClass: "unlimited",
  access: {},
  ...over,
});

/** An endpoint bound to an ad-hoc row, as the build binds a module's endpoint to its row. */
const endpoint = <S extends Schemas>(r: RouteDef, schemas: S, handle: Handler<S>) =>
  defineEndpoint(routeKey(r), schemas, handle).lambda(r);

function event(body?: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "POST /kit-test",
    rawPath: "/kit-test",
    rawQueryString: "",
    headers: { "content-type": "application/json", ...headers },
    requestContext: {
      accountId: "0",
      apiId: "t",
      domainName: "t",
      domainPrefix: "t",
      http: { method: "POST", path: "/kit-test", protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "t" },
      requestId: randomUUID(),
      routeKey: "POST /kit-test",
      stage: "$default",
      time: "",
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

type H = (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const invoke = async (h: unknown, e: APIGatewayProxyEventV2) => {
  const r = await (h as H)(e, lambdaContext(route({})));
  return { ...r, json: JSON.parse(r.body ?? "null") };
};

describe("endpoint kit", () => {
  it("answers a deprecated route with Deprecation (RFC 9745) and a successor Link (RFC 8594), on success and on error", async () => {
    const deprecated = { since: "2026-11-30", successor: "/api/v1/new-home" };
    const ok = endpoint(route({ surface: "securenet", deprecated }), {}, () => ({ fine: true }));
    const failing = endpoint(route({ surface: "securenet", deprecated }), {}, () => {
      throw new Conflict("busy");
    });
    const plain = endpoint(route({ surface: "securenet" }), {}, () => ({ fine: true }));

    const answers = [await invoke(ok, event("{}")), await invoke(failing, event("{}"))];
    const current = await invoke(plain, event("{}"));

    for (const res of answers) {
      expect(res.headers?.Deprecation).toBe(`@${Date.UTC(2026, 10, 30) / 1000}`);
      expect(res.headers?.Link).toBe('</api/v1/new-home>; rel="successor-version"');
    }
    expect(answers.map((r) => r.statusCode)).toEqual([200, 409]);
    expect(current.headers?.Deprecation).toBeUndefined();
    expect(current.headers?.Link).toBeUndefined();
  });

  it("turns an unexpected exception into a 500 with the request id and no internals, on every surface", async () => {
    for (const surface of ["gateway", "grc", "cloudsentinel", "securenet"] as const) {
      const h = endpoint(route({ surface }), {}, () => {
        throw new Error("connect ECONNREFUSED db.internal:5432 password=hunter2");
      });
      const e = event("{}");
      const res = await invoke(h, e);
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain("hunter2");
      expect(res.body).not.toContain("ECONNREFUSED");
      expect(res.body).toContain(e.requestContext.requestId);
      expect(res.headers?.["X-Request-Id"]).toBe(e.requestContext.requestId);
      expect(res.headers?.["X-Frame-Options"]).toBe("DENY");
    }
  });

  it("answers a dependency that is busy (throttled, a transaction conflict, a dropped connection) 503 with Retry-After, not 500", async () => {
    const busy = [
      new ProvisionedThroughputExceededException({
        message: "rate of requests exceeds the allowed throughput",
        $metadata: {},
      }),
      new TransactionCanceledException({
        message:
          "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]",
        $metadata: {},
        CancellationReasons: [{ Code: "None" }, { Code: "TransactionConflict" }],
      }),
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    ];
    for (const error of busy) {
      const res = await invoke(
        endpoint(route({}), {}, () => {
          throw error;
        }),
        event("{}"),
      );
      expect(res.statusCode).toBe(503);
      expect(res.headers?.["Retry-After"]).toBe("1");
      expect(res.body).not.toContain("TransactionConflict");
    }
    // A failed condition is the request's outcome, not the dependency's mood: a retry would not help.
    const conditional = new TransactionCanceledException({
      message: "Transaction cancelled [ConditionalCheckFailed, TransactionConflict]",
      $metadata: {},
      CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "TransactionConflict" }],
    });
    const res = await invoke(
      endpoint(route({}), {}, () => {
        throw conditional;
      }),
      event("{}"),
    );
    expect(res.statusCode).toBe(500);
  });

  it("renders a typed error in each surface's format", async () => {
    const make = (surface: RouteDef["surface"]) =>
      endpoint(route({ surface }), {}, () => {
        throw new Conflict("username 'ops01' is already taken");
      });
    expect((await invoke(make("gateway"), event())).json).toEqual({
      error: "CONFLICT",
      message: "username 'ops01' is already taken",
    });
    expect((await invoke(make("grc"), event())).json).toEqual({
      error: "username 'ops01' is already taken",
      details: "CONFLICT",
    });
    expect((await invoke(make("cloudsentinel"), event())).json).toEqual({
      detail: "username 'ops01' is already taken",
    });
    expect((await invoke(make("securenet"), event())).json).toMatchObject({
      status: "error",
      error: { code: "CONFLICT", message: "username 'ops01' is already taken" },
      timestamp: expect.any(String),
    });
  });

  it("names each bad field: wrong type, missing field, unknown enum value, unknown field", async () => {
    const body = z.strictObject({ port: z.number(), action: z.enum(["ACCEPT", "DROP"]), name: z.string() });
    const h = endpoint(route({}), { body }, () => ({ ok: true }));
    const res = await invoke(h, event(JSON.stringify({ port: "22", action: "ALLOW", extra: 1 })));
    expect(res.statusCode).toBe(400);
    const fields = res.json.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["body.port", "body.action", "body.name", "body.extra"]));
    expect(res.json.details.find((d: { field: string }) => d.field === "body.name").message).toBe("field required");
  });

  it("refuses a non-JSON content type and a malformed body with 4xx, before the handler runs", async () => {
    let ran = false;
    const h = endpoint(route({}), { body: z.object({}) }, () => {
      ran = true;
      return {};
    });
    const wrongType = await invoke(h, event("a=b", { "content-type": "application/x-www-form-urlencoded" }));
    expect(wrongType.statusCode).toBe(415);
    // Its own code, not a validation error: the body was never read, so no field is at fault.
    expect(wrongType.json.error).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect((await invoke(h, event("{oops"))).statusCode).toBe(400);
    expect(ran).toBe(false);
  });

  it("lets a handler return a raw file response with its own content type", async () => {
    const h = endpoint(
      route({ method: "GET" }),
      {},
      () => new RawResponse(200, { "Content-Type": "text/csv" }, "a,b\n1,2\n"),
    );
    const res = await (h as H)(event(), lambdaContext(route({})));
    expect(res.headers?.["Content-Type"]).toBe("text/csv");
    expect(res.body).toBe("a,b\n1,2\n");
    expect(res.headers?.["X-Content-Type-Options"]).toBe("nosniff");
  });
});
