/**
 * Scans of the platform's own account (issue 12): with `-c platformScanTenants`, the cloud scan's
 * Validate and Collect functions — and they alone — get the collectors' read-only calls
 * (shared/posture/adapters/aws-permissions.ts, exactly that list) and the functions that decide who
 * may (POST /scan/start, GET /scan/providers, the tasks) learn the tenants; without the option the
 * same rows grant neither. Sign-up learns the tenants too (it refuses to create a listed id), and no
 * other sign-in route does. One synth of the cloudsentinel scan routes, the sign-in routes and the
 * cloud-scan tasks, with cdk-nag on (synth fails on any unacknowledged finding).
 */
import { App, Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { Key } from "aws-cdk-lib/aws-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessStatements } from "#infra/constructs/access-policy.ts";
import { cloudsentinelScanRoutes } from "#infra/routes/cloudsentinel-scans.ts";
import { signInRoutes } from "#infra/routes/sign-in.ts";
import { workers } from "#infra/workers.ts";
import { routeKey } from "#shared/kit/route.ts";
import { PLATFORM_SCAN_ACTIONS } from "#shared/posture/adapters/aws-permissions.ts";
import { actionsOf, type Statement, type SynthesizedWarden, statementsOfFunction, synthWarden } from "./synth-app.ts";

const TENANTS = ["warden-ops@2026-11-02T08:15:00.000Z", "security-team@2026-11-30T11:03:50.123Z"];
const scanWorkers = workers.filter((w) => w.handler.startsWith("functions/workflows/cloud-scan/"));
const COLLECTORS = ["functions/workflows/cloud-scan/validate.ts", "functions/workflows/cloud-scan/collect.ts"];
const GATES = ["POST /api/v1/scan/start", "GET /api/v1/scan/providers", "functions/workflows/cloud-scan/evaluate.ts"];
/** The only route that creates tenants: it refuses a listed id. */
const SIGN_UP = "POST /api/auth/signup";

let warden: SynthesizedWarden;
let routes: Template;
let signIn: Template;
let tasks: Template;

beforeAll(async () => {
  warden = await synthWarden({
    routeFiles: { "cloudsentinel-scans": cloudsentinelScanRoutes, "sign-in": signInRoutes },
    workers: scanWorkers,
    platformScanTenants: TENANTS,
  });
  const routeStack = warden.routeStacks.find((s) => s.stackName.endsWith("-cloudsentinel-scans"));
  const signInStack = warden.routeStacks.find((s) => s.stackName.endsWith("-sign-in"));
  const workerStack = warden.stacks.find((s) => s.stackName.endsWith("-Workers"));
  if (!routeStack || !signInStack || !workerStack) throw new Error("expected the two route stacks and the workers");
  routes = warden.template(routeStack);
  signIn = warden.template(signInStack);
  tasks = warden.template(workerStack);
}, 600_000);
afterAll(() => warden?.cleanup());

/** A function's template and its description: the route key, or "Worker <id> (<handler>)". */
function located(name: string): { template: Template; description: string } {
  const worker = scanWorkers.find((w) => w.handler === name);
  if (signInKeys.includes(name)) return { template: signIn, description: name };
  if (!worker) return { template: routes, description: name };
  const [fn] = Object.entries(tasks.findResources("AWS::Lambda::Function")).filter(([, f]) =>
    String(f.Properties.Description ?? "").startsWith(`Worker ${worker.id} `),
  );
  if (!fn) throw new Error(`no function for ${name}`);
  return { template: tasks, description: String(fn[1].Properties.Description) };
}
const readStatements = (name: string): Statement[] => {
  const { template, description } = located(name);
  // On `*`: the data key's own statements name kms:DescribeKey too, on that key's ARN only.
  return statementsOfFunction(template, description).filter(
    (s) => s.Resource === "*" && actionsOf(s).some((a) => PLATFORM_SCAN_ACTIONS.includes(a)),
  );
};
const environmentOf = (name: string): Record<string, unknown> => {
  const { template, description } = located(name);
  const [fn] = Object.values(
    template.findResources("AWS::Lambda::Function", { Properties: { Description: description } }),
  );
  return fn?.Properties.Environment.Variables ?? {};
};
const signInKeys = signInRoutes.filter((r) => r.method !== "WEBSOCKET").map(routeKey);
const everyFunction = [
  ...cloudsentinelScanRoutes.filter((r) => r.method !== "WEBSOCKET").map(routeKey),
  ...signInKeys,
  ...scanWorkers.map((w) => w.handler),
];

describe("with -c platformScanTenants", () => {
  it("grants the collectors' read-only actions, exactly, on Validate and Collect only", () => {
    for (const name of everyFunction) {
      const statements = readStatements(name);
      if (COLLECTORS.includes(name)) {
        expect(statements, name).toHaveLength(1);
        expect([...actionsOf(statements[0] as Statement)].sort(), name).toEqual([...PLATFORM_SCAN_ACTIONS]);
        expect(statements[0]).toMatchObject({ Effect: "Allow", Resource: "*" });
        expect(statements[0]?.Condition).toBeUndefined();
      } else {
        expect(statements, name).toEqual([]);
      }
    }
  });

  it("tells the tenants to the functions that decide, read or refuse the ids at sign-up, and to no other", () => {
    expect(signInKeys).toContain(SIGN_UP);
    for (const name of everyFunction) {
      const env = environmentOf(name);
      if ([...COLLECTORS, ...GATES, SIGN_UP].includes(name))
        expect(env.WARDEN_PLATFORM_SCAN_TENANTS, name).toBe(TENANTS.join(","));
      else expect(env, name).not.toHaveProperty("WARDEN_PLATFORM_SCAN_TENANTS");
    }
  });

  it("keeps the scanner out of the platform's own roles (no AssumeRole comes with the read grant)", () => {
    const { template, description } = located("functions/workflows/cloud-scan/collect.ts");
    const collect = statementsOfFunction(template, description);
    const assume = collect.filter((s) => actionsOf(s).includes("sts:AssumeRole"));
    expect(assume.map((s) => s.Effect).sort()).toEqual(["Allow", "Deny"]);
    expect(JSON.stringify(assume.find((s) => s.Effect === "Deny")?.Resource)).toContain("AWS::AccountId");
  });
});

describe("without the option", () => {
  const stack = new Stack(new App(), "S", { env: { account: "123456789012", region: "eu-west-1" } });
  const key = Key.fromKeyArn(stack, "K", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  const targets = { tableName: "t", tableKey: key, dataKey: key, jwtKey: key };
  const readActions = (platformScanTenants?: string[]) =>
    accessStatements(stack, { platformAccountScan: "collect" }, { ...targets, platformScanTenants })
      .map((s) => s.toStatementJson() as Statement)
      .filter((s) => s.Resource === "*")
      .flatMap(actionsOf)
      .filter((a) => PLATFORM_SCAN_ACTIONS.includes(a));

  it("grants no read of the platform's account, even to the collectors' rows", () => {
    expect(readActions(undefined)).toEqual([]);
    expect(readActions([])).toEqual([]);
    expect(readActions(TENANTS).sort()).toEqual([...PLATFORM_SCAN_ACTIONS]);
  });
});
