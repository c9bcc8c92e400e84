/**
 * Tenant isolation in IAM (issue 17 item 1): no API route's own role can write a table item
 * outside its tenant's keys — every write statement on the table either carries a
 * `dynamodb:LeadingKeys` condition limited to the rate-window and audit partitions, or belongs to
 * a named pre-tenant route (shared/tenancy/credentials.ts `PRE_TENANT_ROUTES`); the routes with a
 * verified caller assume the one tenant-access role, whose policy fences the keys by the session
 * tag `tenant`, and no other role of the account may assume it. Workers (stream, workflow tasks,
 * ingest) keep their own table access for now and are not covered here.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allEntries } from "#infra/build.ts";
import { TENANT_ACCESS_PRINCIPAL_TAG } from "#infra/constructs/access-policy.ts";
import { routes } from "#infra/routes.ts";
import { createApp, type WardenApp } from "#infra/stacks/app-factory.ts";
import { AUDIT_PARTITION_PATTERNS } from "#shared/audit/trail.ts";
import { routeKey } from "#shared/kit/route.ts";
import { PRE_TENANT_ROUTES, TENANT_TAG_VARIABLE } from "#shared/tenancy/credentials.ts";
import { RATE_WINDOW_PARTITION_PATTERNS } from "#shared/tenancy/db/rate-windows.ts";
import { actionsOf, type Statement, statementsOfFunction } from "./synth-app.ts";

const WRITES = new Set([
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:*",
]);
const httpRoutes = routes.filter((r) => r.method !== "WEBSOCKET");
const leadingKeys = (s: Statement): string[] | undefined =>
  (s.Condition as { "ForAllValues:StringLike"?: { "dynamodb:LeadingKeys"?: string[] } } | undefined)?.[
    "ForAllValues:StringLike"
  ]?.["dynamodb:LeadingKeys"];

let dir: string;
let warden: WardenApp;
const templates = new Map<Stack, Template>();
const template = (stack: Stack) => templates.get(stack) ?? templates.set(stack, Template.fromStack(stack)).get(stack);
const functions = new Map<string, { statements: Statement[]; env: Record<string, unknown>; role: any }>();

beforeAll(async () => {
  // IAM is all this file reads: the app is built from placeholder bundles (no esbuild run), with
  // cdk-nag on, and synthesized as `cdk synth` does (an unacknowledged finding throws).
  dir = await mkdtemp(join(tmpdir(), "warden-tenant-"));
  const assetsDir = join(dir, "functions");
  for (const entry of allEntries()) {
    await mkdir(join(assetsDir, entry.functionId), { recursive: true });
    await writeFile(join(assetsDir, entry.functionId, "index.mjs"), "export const handler = () => {};\n");
  }
  warden = createApp({ assetsDir, outdir: join(dir, "cdk.out"), nag: true });
  warden.app.synth();
  for (const stack of warden.routeStacks) {
    const t = template(stack) as Template;
    const roles = t.findResources("AWS::IAM::Role");
    for (const fn of Object.values(t.findResources("AWS::Lambda::Function"))) {
      const description = fn.Properties.Description as string;
      functions.set(description, {
        statements: statementsOfFunction(t, description),
        env: fn.Properties.Environment?.Variables ?? {},
        role: roles[fn.Properties.Role["Fn::GetAtt"][0]],
      });
    }
  }
}, 600_000);
afterAll(() => dir && rm(dir, { recursive: true, force: true }));

describe("route roles", () => {
  it("name every public route with table access as a pre-tenant route, and no other", () => {
    const publicTableRoutes = httpRoutes.filter((r) => r.permission === null && r.access.table).map(routeKey);

    expect(publicTableRoutes.sort()).toEqual(Object.keys(PRE_TENANT_ROUTES).sort());
  });

  it("declare audit maintenance only on read-write routes with a verified caller", () => {
    const rows = routes.filter((r) => r.access.auditMaintenance);

    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect([r.method !== "WEBSOCKET", r.permission !== null, r.access.table], routeKey(r)).toEqual([
        true,
        true,
        "RW",
      ]);
    }
  });

  it("write no table item outside the caller's tenant: every write is LeadingKeys-fenced or a named pre-tenant route", () => {
    const fenced = new Set<string>([...RATE_WINDOW_PARTITION_PATTERNS, ...AUDIT_PARTITION_PATTERNS]);
    const unscoped: string[] = [];
    for (const route of httpRoutes) {
      const key = routeKey(route);
      const fn = functions.get(key);
      if (!fn) throw new Error(`no function for ${key}`);
      const writes = fn.statements.filter((s) => actionsOf(s).some((a) => WRITES.has(a)));
      for (const s of writes) {
        const keys = leadingKeys(s);
        if (keys === undefined) {
          if (!(key in PRE_TENANT_ROUTES)) unscoped.push(key);
        } else {
          // A fenced write of a route role reaches the rate windows and the audit trail, nothing else.
          expect(
            keys.every((k) => fenced.has(k)),
            `${key}: ${keys}`,
          ).toBe(true);
        }
      }
    }

    expect(unscoped).toEqual([]);
    // The assertion above has something to check: the pre-tenant routes do write unscoped.
    const login = functions.get("POST /api/auth/login")?.statements ?? [];
    expect(login.some((s) => actionsOf(s).includes("dynamodb:PutItem") && !leadingKeys(s))).toBe(true);
  });

  it("read no table item by Query and reach no index unless the route is pre-tenant (authentication reads by key)", () => {
    for (const route of httpRoutes.filter((r) => r.permission !== null && r.access.table)) {
      const key = routeKey(route);
      const dynamo = (functions.get(key)?.statements ?? []).filter((s) =>
        actionsOf(s).some((a) => a.startsWith("dynamodb:")),
      );
      expect(dynamo.flatMap(actionsOf), key).not.toContain("dynamodb:Query");
      expect(JSON.stringify(dynamo.map((s) => s.Resource)), key).not.toContain("/index/");
    }
  });

  it("let the routes with a verified caller assume the tenant-access role with a session tag, and only those", () => {
    for (const route of httpRoutes) {
      const key = routeKey(route);
      const fn = functions.get(key);
      const sts = (fn?.statements ?? []).filter((s) => actionsOf(s).some((a) => a.startsWith("sts:")));
      const tags = (fn?.role?.Properties.Tags ?? []) as { Key: string; Value: string }[];
      if (route.permission !== null && route.access.table) {
        expect(sts.flatMap(actionsOf), key).toEqual(["sts:AssumeRole", "sts:TagSession"]);
        expect(JSON.stringify(sts[0]?.Resource), key).toContain(":role/warden-table-tenant-access");
        expect(JSON.stringify(fn?.env.WARDEN_TENANT_ROLE_ARN), key).toContain(":role/warden-table-tenant-access");
        expect(tags, key).toContainEqual({
          Key: TENANT_ACCESS_PRINCIPAL_TAG.key,
          Value: TENANT_ACCESS_PRINCIPAL_TAG.value,
        });
      } else {
        expect(sts, key).toEqual([]);
        expect(fn?.env.WARDEN_TENANT_ROLE_ARN, key).toBeUndefined();
      }
    }
  });
});

describe("the tenant-access role", () => {
  const role = () => {
    const t = template(warden.data) as Template;
    const roles = t.findResources("AWS::IAM::Role", { Properties: { RoleName: "warden-table-tenant-access" } });
    const [id, resource] = Object.entries(roles)[0] ?? [];
    const statements = Object.values(t.findResources("AWS::IAM::Policy"))
      .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === id))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    return { resource, statements };
  };

  it("allows the table actions only on the partitions of the session's tenant tag, and point operations on the named global guards", () => {
    const { statements } = role();
    const table = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
    const t = TENANT_TAG_VARIABLE;

    expect(table.map(leadingKeys)).toEqual([
      [`T#${t}`, `T#${t}#*`],
      [`T#${t}`, `T#${t}#*`],
      [`T#${t}#AUDIT#*`],
      [`T#${t}#AUDIT`],
      [`T#${t}#AUDIT#*`],
      ["G#LOGIN#*", "G#APIKEY#*", "G#STRIPE#CUS#*", "G#GRC#EVIDENCE-TENANTS"],
    ]);
    expect(actionsOf(table[0] as Statement)).toEqual(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]);
    expect(actionsOf(table[5] as Statement)).not.toContain("dynamodb:Query");
    for (const s of table) expect(Object.keys(s.Condition as object)).toContain("ForAllValues:StringLike");
  });

  it("writes the tenant's audit partitions only by the append, and the clear route's anchor move and deletes", () => {
    const table = role().statements.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
    const t = TENANT_TAG_VARIABLE;
    const [, writes, append, anchor, remove] = table as Statement[];

    // The general write statement covers every partition of the tenant but its audit trail.
    expect(actionsOf(writes as Statement)).toEqual(
      expect.arrayContaining(["dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
    );
    expect(writes?.Condition).toEqual({
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`T#${t}`, `T#${t}#*`] },
      "ForAllValues:StringNotLike": { "dynamodb:LeadingKeys": [`T#${t}#AUDIT`, `T#${t}#AUDIT#*`] },
    });
    // The append: PutItem of a record's own attributes into a day partition.
    expect(actionsOf(append as Statement)).toEqual(["dynamodb:PutItem"]);
    expect(Object.keys(append?.Condition as object)).toEqual(["ForAllValues:StringLike", "ForAllValues:StringEquals"]);
    // For the routes declaring `access.auditMaintenance` (the clear): the head's anchor, and deleting records; nothing else.
    expect(actionsOf(anchor as Statement)).toEqual(["dynamodb:UpdateItem"]);
    expect(actionsOf(remove as Statement)).toEqual(["dynamodb:DeleteItem"]);
  });

  it("is assumable only by Warden's tagged route roles of this account, with exactly the tenant tag", () => {
    const trust = role().resource?.Properties.AssumeRolePolicyDocument.Statement as Statement[];
    const assume = trust.find((s) => actionsOf(s).includes("sts:AssumeRole"));
    const tag = trust.find((s) => actionsOf(s).includes("sts:TagSession"));

    expect(assume?.Condition).toMatchObject({
      StringEquals: { [`aws:PrincipalTag/${TENANT_ACCESS_PRINCIPAL_TAG.key}`]: TENANT_ACCESS_PRINCIPAL_TAG.value },
    });
    expect(tag?.Condition).toMatchObject({
      "ForAllValues:StringEquals": { "aws:TagKeys": ["tenant"] },
      Null: { "aws:RequestTag/tenant": "false" },
    });
  });
});
