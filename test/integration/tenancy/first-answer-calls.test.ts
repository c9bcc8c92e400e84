/**
 * The DynamoDB calls of an authenticated request in a container that has not seen its tenant this
 * minute (a cold start, or a warm container at a new minute): authentication reads the tenant's
 * rate window with the token's items (one BatchGetItem), so the rate count is one UpdateItem
 * whether or not another container opened the window — and the limit is enforced exactly as before.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { dbCalls, preTenantDb, resetDbCalls, tableName } from "#shared/table/client.ts";
import { localStsIssuer } from "#shared/tenancy/adapters/local-sts.ts";
import { useCredentialIssuer } from "#shared/tenancy/credentials.ts";
import { monthOfEpoch, requestMonthKey, requestSubjects } from "#shared/tenancy/db/rate-windows.ts";
import { RATE_CLASSES } from "#shared/tenancy/rate-limit.ts";
import { call, newTenant } from "#test/helpers/api.ts";

const USERS = "/cloud-integration/security/users";
const LIMIT = RATE_CLASSES.general;

const windowNow = () => {
  const now = Math.floor(Date.now() / 1000);
  return now - (now % 60);
};

/** What another container leaves after counting `count` requests of the tenant in the current window. */
async function openedElsewhere(tenantId: string, count: number): Promise<number> {
  const w = windowNow();
  await preTenantDb.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...requestMonthKey(requestSubjects.tenant(tenantId), "general", monthOfEpoch(w)),
        type: "RequestMonth",
        w,
        wc: count,
        n: count + 40,
      },
    }),
  );
  return w;
}

describe("an authenticated request's first answer in a container", () => {
  it("counts in a window another container opened with one UpdateItem (the window read with the token's items)", async () => {
    const t = await newTenant("probe-open");
    const w = await openedElsewhere(t.tenantId, 7);

    resetDbCalls();
    const res = await call("GET", USERS, { token: t.token });
    const calls = dbCalls();

    expect(res.status).toBe(200);
    expect(calls.byCommand).toEqual({ BatchGetItemCommand: 1, UpdateItemCommand: 1, QueryCommand: 1 });
    // Counted in the open window (8th request), unless the minute turned meanwhile (a new window: 1st).
    const remaining = Number(res.headers["X-RateLimit-Remaining"]);
    expect(remaining).toBe(windowNow() === w ? LIMIT - 8 : LIMIT - 1);
  });

  it("opens the window of a quiet tenant with one UpdateItem", async () => {
    const t = await newTenant("probe-quiet");

    resetDbCalls();
    const res = await call("GET", USERS, { token: t.token });
    const calls = dbCalls();

    expect(res.status).toBe(200);
    expect(calls.byCommand).toEqual({ BatchGetItemCommand: 1, UpdateItemCommand: 1, QueryCommand: 1 });
    expect(res.headers["X-RateLimit-Remaining"]).toBe(String(LIMIT - 1));
  });

  it("still refuses the request over the limit that other containers have spent", async () => {
    const t = await newTenant("probe-full");
    const w = await openedElsewhere(t.tenantId, LIMIT);

    const res = await call("GET", USERS, { token: t.token });

    // In the same minute the window is full (429); a minute that turned meanwhile starts a new one.
    expect(res.status).toBe(windowNow() === w ? 429 : 200);
    if (res.status === 429) expect(res.headers["Retry-After"]).toBeDefined();
  });
});

describe("the tenant's credentials", () => {
  afterEach(() => useCredentialIssuer(undefined));

  /** The local issuer, recording for whom it issued and how many token reads had been sent by then. */
  const recording = () => {
    const issued: { tenantId: string; tokenReadsSent: number }[] = [];
    useCredentialIssuer({
      issue: (request) => {
        issued.push({ tenantId: request.tenantId, tokenReadsSent: dbCalls().byCommand.BatchGetItemCommand ?? 0 });
        return localStsIssuer.issue(request);
      },
    });
    return issued;
  };

  it("are asked for once the token's signature is verified, before its items are read (STS beside the BatchGetItem)", async () => {
    const t = await newTenant("prefetch");
    const issued = recording();

    resetDbCalls();
    const res = await call("GET", USERS, { token: t.token });

    expect(res.status).toBe(200);
    expect(issued).toEqual([{ tenantId: t.tenantId, tokenReadsSent: 0 }]);
  });

  it("leave a revoked token refused: the request answers 401 and reaches no handler", async () => {
    const t = await newTenant("prefetch-revoked");
    const out = await call("POST", "/api/auth/logout", { token: t.token });
    expect(out.status).toBeLessThan(300);
    const issued = recording();

    resetDbCalls();
    const res = await call("GET", USERS, { token: t.token });

    expect(res.status).toBe(401);
    expect(issued.map((i) => i.tenantId)).toEqual([t.tenantId]);
    // The token's read only: no rate count, no handler query.
    expect(dbCalls().byCommand).toEqual({ BatchGetItemCommand: 1 });
  });
});
