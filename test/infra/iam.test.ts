/**
 * IAM and KMS details of the whole synthesized app (issue 17 item 6, issues 12 and 10's deploy
 * gaps): who may sign tokens (the key policy, not only IAM), what shadow and registry routes may do,
 * no index or endpoint wildcards, the cross-account scan role grant, and the tenants' scan schedules.
 */
import type { Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";
import { SCAN_SCHEDULE_TARGET_ID, workers } from "#infra/workers.ts";
import { HEALTH_PROBE_THING, thingActions } from "#shared/iot/policy.ts";
import { routeKey } from "#shared/kit/route.ts";
import { TABLE } from "#shared/table/table.ts";
import { actionsOf, nagFindings, type Statement, type SynthesizedWarden, synthWarden } from "./synth-app.ts";

type Resource = { Properties: Record<string, any> };
interface Fn {
  /** Route key, or the worker id. */
  name: string;
  stack: Stack;
  template: Template;
  fn: Resource;
  role: Resource;
  statements: Statement[];
}

let warden: SynthesizedWarden;
const fns = new Map<string, Fn>();

beforeAll(async () => {
  warden = await synthWarden();
  for (const stack of warden.stacks) {
    const template = warden.template(stack);
    const roles = template.findResources("AWS::IAM::Role") as Record<string, Resource>;
    const policies = Object.values(template.findResources("AWS::IAM::Policy")) as Resource[];
    for (const fn of Object.values(template.findResources("AWS::Lambda::Function")) as Resource[]) {
      const description = String(fn.Properties.Description ?? "");
      const name = /^Worker (\S+) \(/.exec(description)?.[1] ?? description.replace(/^IoT ingest: .*/, "iot-ingest");
      const roleId = fn.Properties.Role?.["Fn::GetAtt"]?.[0] as string | undefined;
      const role = roleId ? roles[roleId] : undefined;
      if (!role || !roleId) continue; // custom-resource providers
      const statements = policies
        .filter((p) => (p.Properties.Roles as { Ref?: string }[]).some((r) => r.Ref === roleId))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
      fns.set(name, { name, stack, template, fn, role, statements });
    }
  }
}, 600_000);
afterAll(() => warden?.cleanup());

function fnOf(name: string): Fn {
  const f = fns.get(name);
  if (!f) throw new Error(`no function '${name}'`);
  return f;
}
const httpRoutes = routes.filter((r) => r.method !== "WEBSOCKET");
const allows = (f: Fn) => f.statements.filter((s) => s.Effect === "Allow");
const actionsOfFn = (f: Fn) => allows(f).flatMap(actionsOf);
const json = (v: unknown): string => JSON.stringify(v) ?? "";
const tagsOf = (r: Resource) => (r.Properties.Tags ?? []) as { Key: string; Value: string }[];

describe("the token-signing key", () => {
  const keyOf = () => {
    const keys = Object.values(warden.template(warden.data).findResources("AWS::KMS::Key")) as Resource[];
    const key = keys.find((k) => k.Properties.KeySpec === "ECC_NIST_P256");
    if (!key) throw new Error("no signing key");
    return key;
  };

  it("lets its key policy grant kms:Sign only to roles tagged as this deployment's token signers", () => {
    const statements = keyOf().Properties.KeyPolicy.Statement as (Statement & { Sid?: string })[];
    const signing = statements.filter((s) => actionsOf(s).some((a) => a === "kms:*" || /^kms:Sign/.test(a)));
    expect(signing).toHaveLength(1);
    expect(actionsOf(signing[0] as Statement)).toEqual(["kms:Sign"]);
    expect(signing[0]?.Condition).toEqual({
      StringEquals: { "aws:PrincipalTag/warden:token-signer": warden.data.stackName },
    });
    // Administration stays with the account (so the key can never be orphaned), without any use of it.
    const admin = statements.find((s) => s.Sid === "KeyAdministration");
    expect(actionsOf(admin as Statement)).toContain("kms:ScheduleKeyDeletion");
    expect(actionsOf(admin as Statement).filter((a) => /^kms:(Sign|Verify|\*|Encrypt|Decrypt)/.test(a))).toEqual([]);
  });

  it("tags exactly the roles of the jwtSign functions, which alone hold kms:Sign in IAM", () => {
    const signers = [...httpRoutes.filter((r) => r.access.jwtSign).map(routeKey)];
    expect(signers.length).toBeGreaterThan(0);
    const tagged = [...fns.values()]
      .filter((f) => tagsOf(f.role).some((t) => t.Key === "warden:token-signer"))
      .map((f) => f.name);
    expect(tagged.sort()).toEqual(signers.sort());
    for (const name of signers) {
      expect(tagsOf(fnOf(name).role)).toContainEqual({ Key: "warden:token-signer", Value: warden.data.stackName });
    }
    const withSign = [...fns.values()].filter((f) => actionsOfFn(f).includes("kms:Sign")).map((f) => f.name);
    expect(withSign.sort()).toEqual(signers.sort());
  });

  it("has an alias naming the deployment", () => {
    warden.template(warden.data).hasResourceProperties("AWS::KMS::Alias", {
      AliasName: `alias/${warden.data.stackName}/token-signing`,
    });
  });
});

describe("shadows, registry and indexes", () => {
  const rowOf = (key: string) => {
    const row = httpRoutes.find((r) => routeKey(r) === key);
    if (!row) throw new Error(`no route '${key}'`);
    return row;
  };
  const iotActionsOf = (key: string) => actionsOfFn(fnOf(key)).filter((a) => a.startsWith("iot:"));

  it("never lets a GET route write or delete a shadow; the fleet reads and the health probe only read", () => {
    for (const r of httpRoutes.filter((x) => x.method === "GET")) {
      const actions = [...actionsOfFn(fnOf(routeKey(r))), ...thingActions(r.access)];
      expect(actions, routeKey(r)).not.toContain("iot:UpdateThingShadow");
      expect(actions, routeKey(r)).not.toContain("iot:DeleteThingShadow");
    }
    // The fleet reads go through the tenant session (no thing action of their own); the public health
    // probe reads its own thing with its own role.
    for (const key of [
      "GET /cloud-integration/security/gateways",
      "GET /cloud-integration/security/gateways/{gateway_id}",
    ]) {
      expect(iotActionsOf(key), key).toEqual([]);
      expect(thingActions(rowOf(key).access), key).toEqual(["iot:GetThingShadow"]);
    }
    expect(iotActionsOf("GET /api/metrics/health")).toEqual(["iot:GetThingShadow"]);
    expect(json(allows(fnOf("GET /api/metrics/health")))).toContain(`:thing/${HEALTH_PROBE_THING}"`);
  });

  it("names no thing/warden-* or thing/* on any route role or the tenant-access role (issue 17 item 1)", () => {
    const spanning = /:thing\/(warden-)?\*/;
    for (const r of httpRoutes) {
      const statements = json(allows(fnOf(routeKey(r))));
      expect(statements, routeKey(r)).not.toMatch(spanning);
      expect(statements, routeKey(r)).not.toContain(":thing/warden-");
      // A route with a verified caller names no thing at all: its thing calls are the tenant session's.
      if (r.permission !== null) expect(statements, routeKey(r)).not.toContain(":thing/");
    }
    const data = warden.template(warden.data);
    const tenantRoleId = Object.keys(data.findResources("AWS::IAM::Role")).find((id) =>
      id.startsWith("TenantAccessRole"),
    );
    const tenantStatements = (Object.values(data.findResources("AWS::IAM::Policy")) as Resource[])
      .filter((p) => json(p.Properties.Roles).includes(String(tenantRoleId)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(json(tenantStatements)).not.toMatch(spanning);
    expect(json(tenantStatements)).toContain(`:thing/warden_\${aws:PrincipalTag/tenant}_*`);
  });

  it("lets the deregister route detach and delete, never create or attach", () => {
    const key = "DELETE /cloud-integration/security/gateways/{gateway_id}";
    // Certificates and the policy attachment on its own role; the thing through its tenant session.
    const deregister = [...actionsOfFn(fnOf(key)), ...thingActions(rowOf(key).access)];
    expect(deregister).toEqual(
      expect.arrayContaining(["iot:DeleteThing", "iot:DeleteCertificate", "iot:DetachPolicy", "iot:DeleteThingShadow"]),
    );
    for (const action of [
      "iot:CreateThing",
      "iot:CreateKeysAndCertificate",
      "iot:AttachPolicy",
      "iot:AttachThingPrincipal",
    ])
      expect(deregister).not.toContain(action);
    const registerKey = "POST /cloud-integration/security/gateways";
    const register = [...actionsOfFn(fnOf(registerKey)), ...thingActions(rowOf(registerKey).access)];
    expect(register).toEqual(
      expect.arrayContaining(["iot:CreateThing", "iot:CreateKeysAndCertificate", "iot:AttachPolicy"]),
    );
  });

  it("grants iot:DescribeEndpoint to no function: every IoT function gets the endpoint in its environment", () => {
    for (const f of fns.values()) {
      if (!f.name.includes(" ") && !workers.some((w) => w.id === f.name)) continue;
      expect(actionsOfFn(f), f.name).not.toContain("iot:DescribeEndpoint");
      if (actionsOfFn(f).some((a) => a.startsWith("iot:")))
        expect(f.fn.Properties.Environment.Variables.IOT_ENDPOINT_ADDRESS, f.name).toBeDefined();
    }
  });

  it("names the table's indexes, never index/*", () => {
    const indexes = TABLE.indexes.map((i) => `/index/${i.name}`);
    let tableUsers = 0;
    for (const f of fns.values()) {
      const text = json(allows(f).filter((s) => actionsOf(s).includes("dynamodb:Query")));
      expect(json(f.statements), f.name).not.toContain("/index/*");
      if (text === "[]") continue;
      tableUsers++;
      for (const index of indexes) expect(text, f.name).toContain(index);
    }
    // Routes with a verified caller query through tenant sessions (the tenant-access role names the
    // indexes the same way: shared/tenancy/credentials.ts tableStatementsJson); the functions that
    // query with their own role are the workers and the public routes.
    expect(tableUsers).toBeGreaterThan(10);
  });
});

describe("cloud scans with role_arn", () => {
  const scanners = ["workflows-cloud-scan-collect", "workflows-cloud-scan-validate"];

  it("let only Validate and Collect assume another account's role, only with an external id", () => {
    const crossAccount = [...fns.values()].filter((f) =>
      allows(f).some((s) => actionsOf(s).includes("sts:AssumeRole") && json(s.Resource).includes(":iam::*:role/*")),
    );
    expect(crossAccount.map((f) => f.name).sort()).toEqual(scanners);
    for (const name of scanners) {
      const f = fnOf(name);
      const grant = allows(f).find((s) => actionsOf(s).includes("sts:AssumeRole"));
      expect(grant?.Condition).toEqual({ Null: { "sts:ExternalId": "false" } });
      // Never a role of the platform's own account, whatever its trust policy says.
      const deny = f.statements.find((s) => s.Effect === "Deny" && actionsOf(s).includes("sts:AssumeRole"));
      expect(json(deny?.Resource)).toContain('{"Ref":"AWS::AccountId"},":role/*"');
      // Customers trust this path (aws:PrincipalArn), not generated role names.
      expect(f.role.Properties.Path).toBe("/warden-cloud-scanner/");
    }
    expect(actionsOfFn(fnOf("workflows-cloud-scan-evaluate"))).not.toContain("sts:AssumeRole");
  });
});

describe("scheduled gateway scans", () => {
  const scheduleRoutes = [
    "POST /cloud-integration/security/scan",
    "DELETE /cloud-integration/security/scan/schedule",
    "POST /api/security/scan",
  ];
  const workflows = () => {
    if (!warden.workflows) throw new Error("no workflows stack");
    return warden.template(warden.workflows);
  };

  it("has a schedule group and a scheduler role that may invoke only the scheduled-scan function", () => {
    workflows().hasResourceProperties("AWS::Scheduler::ScheduleGroup", { Name: "warden-gateway-scans" });
    const roles = Object.values(workflows().findResources("AWS::IAM::Role")) as Resource[];
    const role = roles.find((r) => json(r.Properties.RoleName).includes("warden-scan-scheduler-"));
    if (!role) throw new Error("no scan scheduler role");
    const trust = role.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: "scheduler.amazonaws.com" });
    expect(trust.Condition.StringEquals).toEqual({ "aws:SourceAccount": { Ref: "AWS::AccountId" } });
    expect(json(trust.Condition.ArnLike["aws:SourceArn"])).toContain(":schedule-group/warden-gateway-scans");
    const target = fnOf(SCAN_SCHEDULE_TARGET_ID);
    expect(target.fn.Properties.FunctionName).toBe("warden-gateway-scan-scheduled");
    const policies = Object.values(workflows().findResources("AWS::IAM::Policy")) as Resource[];
    const [roleId] = Object.entries(workflows().findResources("AWS::IAM::Role")).find(([, r]) => r === role) ?? [];
    const statements = policies
      .filter((p) => (p.Properties.Roles as { Ref?: string }[]).some((r) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(statements.map(actionsOf)).toEqual([["lambda:InvokeFunction"]]);
    expect(json(statements[0]?.Resource)).toContain(`${SCAN_SCHEDULE_TARGET_ID.replace(/-/g, "")}`);
  });

  it("lets the schedule routes and the target manage this group's scan schedules and pass only that role", () => {
    for (const name of [...scheduleRoutes, SCAN_SCHEDULE_TARGET_ID]) {
      const f = fnOf(name);
      const scheduler = allows(f).filter((s) => actionsOf(s).some((a) => a.startsWith("scheduler:")));
      expect(scheduler.flatMap(actionsOf).sort(), name).toEqual([
        "scheduler:CreateSchedule",
        "scheduler:DeleteSchedule",
        "scheduler:UpdateSchedule",
      ]);
      expect(json(scheduler[0]?.Resource), name).toContain(":schedule/warden-gateway-scans/warden-scan-*");
      const pass = allows(f).filter((s) => actionsOf(s).includes("iam:PassRole"));
      expect(pass, name).toHaveLength(1);
      expect(json(pass[0]?.Resource)).toContain(":role/warden-scan-scheduler-");
      expect(pass[0]?.Condition).toEqual({ StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } });
      const env = f.fn.Properties.Environment.Variables;
      expect(env.WARDEN_SCAN_SCHEDULE_GROUP).toBe("warden-gateway-scans");
      expect(json(env.WARDEN_SCAN_SCHEDULER_ROLE_ARN)).toContain(":role/warden-scan-scheduler-");
      expect(json(env.WARDEN_SCAN_SCHEDULE_TARGET_ARN)).toContain(":function:warden-gateway-scan-scheduled");
    }
    const others = [...fns.values()].filter(
      (f) => !scheduleRoutes.includes(f.name) && f.name !== SCAN_SCHEDULE_TARGET_ID,
    );
    for (const f of others) {
      expect(
        actionsOfFn(f).filter((a) => a.startsWith("scheduler:") || a === "iam:PassRole"),
        f.name,
      ).toEqual([]);
    }
  });
});

describe("cdk-nag", () => {
  it("leaves no unacknowledged AwsSolutions finding in the data, workers and workflows stacks", () => {
    for (const stack of [warden.data, warden.workers, warden.workflows])
      if (stack) expect(nagFindings(stack)).toEqual([]);
  });
});
