import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeFiles, routes } from "#infra/routes.ts";
import { createApp, ROUTES_PER_STACK, routeStacks } from "#infra/stacks/app-factory.ts";
import { apiGatewayPath } from "#infra/stacks/routes-stack.ts";
import { routeKey } from "#shared/kit/route.ts";
import { actionsOf, nagFindings, type SynthesizedWarden, statementsOfFunction, synthWarden } from "./synth-app.ts";

const httpRoutes = routes.filter((r) => r.method !== "WEBSOCKET");
let warden: SynthesizedWarden;

beforeAll(async () => {
  warden = await synthWarden();
  for (const stack of warden.routeStacks) {
    const template = warden.template(stack);
    for (const fn of Object.values(template.findResources("AWS::Lambda::Function"))) {
      const description = fn.Properties.Description as string;
      if (holders.has(description)) throw new Error(`two functions for '${description}'`);
      holders.set(description, template);
    }
  }
}, 600_000);
afterAll(() => warden?.cleanup());

/** The route stack template that holds a row's function, by the function's description (its route key). */
const holders = new Map<string, Template>();
function templateOf(description: string): Template {
  const template = holders.get(description);
  if (!template) throw new Error(`no route stack holds a function for '${description}'`);
  return template;
}

describe("route stacks", () => {
  it("build exactly one Node.js 22 arm64 function per HTTP row, with the shared defaults", () => {
    const functions = warden.routeStacks.flatMap((s) =>
      Object.values(warden.template(s).findResources("AWS::Lambda::Function")),
    );
    expect(functions).toHaveLength(httpRoutes.length);
    for (const route of httpRoutes) {
      templateOf(routeKey(route)).hasResourceProperties("AWS::Lambda::Function", {
        Description: routeKey(route),
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        MemorySize: 1024,
        Timeout: 29,
        Handler: "index.handler",
        TracingConfig: { Mode: "Active" },
        LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
      });
    }
  });

  it("give every function its own log group with one month of retention", () => {
    for (const stack of warden.routeStacks) {
      const t = warden.template(stack);
      const groups = t.findResources("AWS::Logs::LogGroup");
      expect(Object.keys(groups)).toHaveLength(Object.keys(t.findResources("AWS::Lambda::Function")).length);
      for (const g of Object.values(groups)) expect(g.Properties.RetentionInDays).toBe(30);
    }
  });

  it("route every HTTP row to its function with a payload 2.0 Lambda proxy integration", () => {
    for (const route of httpRoutes) {
      const t = templateOf(routeKey(route));
      const [fnId] = Object.keys(
        t.findResources("AWS::Lambda::Function", { Properties: { Description: routeKey(route) } }),
      );
      // The integration invokes the function's `live` alias (the released version), never $LATEST.
      const [aliasId] = Object.keys(
        t.findResources("AWS::Lambda::Alias", {
          Properties: { Name: "live", FunctionName: { Ref: fnId } },
        }),
      );
      expect(aliasId, routeKey(route)).toBeDefined();
      const integrations = t.findResources("AWS::ApiGatewayV2::Integration", {
        Properties: {
          IntegrationType: "AWS_PROXY",
          PayloadFormatVersion: "2.0",
          IntegrationUri: { Ref: aliasId },
        },
      });
      const [integrationId] = Object.keys(integrations);
      expect(integrationId, routeKey(route)).toBeDefined();
      t.hasResourceProperties("AWS::ApiGatewayV2::Route", {
        RouteKey: `${route.method} ${apiGatewayPath(route.path)}`,
        Target: { "Fn::Join": ["", ["integrations/", { Ref: integrationId }]] },
        ApiId: { "Fn::ImportValue": Match.anyValue() },
      });
    }
    const routeCount = warden.routeStacks.reduce(
      (n, s) => n + Object.keys(warden.template(s).findResources("AWS::ApiGatewayV2::Route")).length,
      0,
    );
    expect(routeCount).toBe(httpRoutes.length);
  });

  it("use no AWS managed policy on any function role (logs are granted explicitly)", () => {
    for (const stack of warden.routeStacks) {
      for (const role of Object.values(warden.template(stack).findResources("AWS::IAM::Role"))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    }
  });

  it("let read-only functions write only their rate-limit windows and audit records", () => {
    const readOnly = httpRoutes.filter((r) => r.access.table === "RO");
    expect(readOnly.length).toBeGreaterThan(0);
    for (const route of readOnly) {
      const statements = statementsOfFunction(templateOf(routeKey(route)), routeKey(route));
      const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
      // Queries go through the tenant session (test/infra/tenant-isolation.test.ts); the own role reads by key.
      const reads = route.permission === null ? ["dynamodb:GetItem", "dynamodb:Query"] : ["dynamodb:GetItem"];
      expect(dynamo.flatMap(actionsOf)).toEqual(expect.arrayContaining(reads));
      expect(dynamo.flatMap(actionsOf), routeKey(route)).not.toContain("dynamodb:DeleteItem");
      expect(dynamo.flatMap(actionsOf), routeKey(route)).not.toContain("dynamodb:BatchWriteItem");
      const writes = dynamo.filter((s) =>
        actionsOf(s).some((a) => a === "dynamodb:PutItem" || a === "dynamodb:UpdateItem"),
      );
      expect(writes.map((w) => w.Condition)).toEqual([
        { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["T#*#RL", "G#IP#*#RL"] } },
        {
          "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["T#*#AUDIT#*"] },
          "ForAllValues:StringEquals": { "dynamodb:Attributes": expect.arrayContaining(["PK", "SK", "hash"]) },
        },
      ]);
      const [rateWindow, audit] = writes;
      if (rateWindow) expect(actionsOf(rateWindow)).toEqual(["dynamodb:UpdateItem"]);
      if (audit) expect(actionsOf(audit)).toEqual(["dynamodb:PutItem"]);
    }
  });

  it("let read-write functions write items and transactions", () => {
    // A pre-tenant route: the others write through tenant sessions (test/infra/tenant-isolation.test.ts).
    const route = httpRoutes.find((r) => r.access.table === "RW" && r.permission === null);
    expect(route).toBeDefined();
    if (!route) return;
    const actions = statementsOfFunction(templateOf(routeKey(route)), routeKey(route)).flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining([
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:BatchWriteItem",
      ]),
    );
  });

  it("let only jwtSign functions sign or read the key from KMS; verifiers get the public key as configuration", () => {
    for (const route of httpRoutes) {
      const actions = statementsOfFunction(templateOf(routeKey(route)), routeKey(route)).flatMap(actionsOf);
      if (route.access.jwtSign) expect(actions, routeKey(route)).toContain("kms:Sign");
      else expect(actions, routeKey(route)).not.toContain("kms:Sign");
      // Signers read it for the kid and to check the shipped key is theirs; verifiers never call KMS.
      if (route.access.jwtSign) expect(actions, routeKey(route)).toContain("kms:GetPublicKey");
      else expect(actions, routeKey(route)).not.toContain("kms:GetPublicKey");
    }
  });

  it("let only dataKey functions use the secrets key", () => {
    for (const route of httpRoutes) {
      const statements = statementsOfFunction(templateOf(routeKey(route)), routeKey(route));
      const onDataKey = statements.filter((s) => JSON.stringify(s.Resource).includes("DataKey"));
      if (!route.access.dataKey) expect(onDataKey, routeKey(route)).toEqual([]);
      else expect(onDataKey.flatMap(actionsOf).length, routeKey(route)).toBeGreaterThan(0);
    }
  });

  it("use the table key only through DynamoDB, and the blob key only through S3", () => {
    const via = (service: string) => ({
      StringEquals: {
        "kms:ViaService": { "Fn::Join": ["", [`${service}.`, { Ref: "AWS::Region" }, ".", { Ref: "AWS::URLSuffix" }]] },
      },
    });
    for (const route of httpRoutes) {
      const statements = statementsOfFunction(templateOf(routeKey(route)), routeKey(route));
      const decrypts = statements.filter((s) => actionsOf(s).includes("kms:Decrypt"));
      const on = (key: string) => decrypts.filter((s) => JSON.stringify(s.Resource).includes(key));
      for (const s of on("TableKey")) expect(s.Condition, routeKey(route)).toEqual(via("dynamodb"));
      for (const s of on("BlobKey")) expect(s.Condition, routeKey(route)).toEqual(via("s3"));
      if (!route.access.blobs) expect(on("BlobKey"), routeKey(route)).toEqual([]);
      // Every other decrypt is the secrets key's, held only by dataKey routes (see the test above).
      const elsewhere = decrypts.filter((s) => !/TableKey|BlobKey|DataKey/.test(JSON.stringify(s.Resource)));
      expect(elsewhere, routeKey(route)).toEqual([]);
    }
  });

  it("give functions the environment shared/kit/config.ts reads", () => {
    for (const route of httpRoutes) {
      templateOf(routeKey(route)).hasResourceProperties("AWS::Lambda::Function", {
        Description: routeKey(route),
        Environment: {
          Variables: Match.objectLike({
            // Every route but the public, table-less ones (GET /openapi.json) counts its calls in the table.
            ...(route.access.table || route.rateClass !== "unlimited" ? { TABLE_NAME: "warden-table" } : {}),
            WARDEN_ISSUER: "warden",
            WARDEN_AUDIENCE: "warden-api",
            WARDEN_TOKEN_TTL_SECONDS: "3600",
            // No --enable-source-maps at every cold start (infra/function-runtime.ts).
            NODE_OPTIONS: Match.absent(),
            ...(route.permission !== null || route.access.jwtSign || route.access.jwtPublicKey
              ? { WARDEN_JWT_PUBLIC_KEY: { "Fn::GetAtt": ["TokenPublicKeys", "PublicKey"] } }
              : {}),
            ...(route.access.jwtSign ? { JWT_KMS_KEY_ID: { "Fn::ImportValue": Match.anyValue() } } : {}),
          }),
        },
      });
    }
  });

  it("put each route file's rows in a stack of its own, refusing a file larger than a stack holds", () => {
    const stacks = routeStacks(routeFiles);
    expect(stacks.map((s) => s.name).sort()).toEqual(
      Object.entries(routeFiles)
        .filter(([, rows]) => rows.some((r) => r.method !== "WEBSOCKET"))
        .map(([file]) => `Routes-${file}`)
        .sort(),
    );
    for (const stack of stacks) expect(stack.routes.length).toBeLessThanOrEqual(ROUTES_PER_STACK);
    const row = httpRoutes[0] as (typeof httpRoutes)[number];
    const tooMany = Array.from({ length: ROUTES_PER_STACK + 1 }, (_, i) => ({ ...row, path: `/r/${i}` }));
    expect(() => routeStacks({ big: tooMany })).toThrow(
      new RegExp(`has ${ROUTES_PER_STACK + 1} HTTP routes; a stack holds at most ${ROUTES_PER_STACK}: split the file`),
    );
  });

  it("keep a function in its stack whatever the order of rows and files", () => {
    const stackOf = (files: Record<string, typeof routes>) =>
      new Map(routeStacks(files).flatMap((s) => s.routes.map((r) => [routeKey(r), s.name] as const)));
    const before = stackOf(routeFiles);
    const reversed = Object.fromEntries(
      Object.entries(routeFiles)
        .reverse()
        .map(([file, rows]) => [file, [...rows].reverse()]),
    );
    // A new row inserted at the front of one file moves nothing else.
    const [firstFile, firstRows] = Object.entries(routeFiles)[0] ?? ["none", []];
    const inserted = {
      ...reversed,
      [firstFile]: [{ ...(firstRows[0] as (typeof routes)[number]), path: "/new" }, ...firstRows],
    };
    expect(stackOf(reversed)).toEqual(before);
    const after = stackOf(inserted);
    for (const [key, stack] of before) expect(after.get(key), key).toBe(stack);
  });

  it("drop the trailing slash the GRC paths carry, and refuse rows that would then collide", () => {
    expect(apiGatewayPath("/api/security/frameworks/")).toBe("/api/security/frameworks");
    expect(apiGatewayPath("/api/security/frameworks/{id}/")).toBe("/api/security/frameworks/{id}");
    expect(apiGatewayPath("/")).toBe("/");
    const row = httpRoutes[0] as (typeof httpRoutes)[number];
    const twins = [
      { ...row, path: "/api/x/" },
      { ...row, path: "/api/x", handler: "functions/other.ts" },
    ];
    expect(() => createApp({ assetsDir: "/nonexistent", routeFiles: { test: twins }, workers: [] })).toThrow(
      /same API Gateway route/,
    );
  });

  it("pass cdk-nag AwsSolutions with no unacknowledged finding", () => {
    for (const stack of warden.routeStacks) expect(nagFindings(stack), stack.stackName).toEqual([]);
  });
});
