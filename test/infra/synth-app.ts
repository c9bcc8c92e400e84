/**
 * Shared arrangement for the infra tests: bundle the functions the app needs into a temp dir (one
 * esbuild run, the AWS SDK left external), build the app through the same `createApp` that `cdk synth` uses, with cdk-nag on,
 * and synthesize it once. A test file calls this once in `beforeAll` and reads templates from it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { AwsSolutionsChecks, NIST80053R5Checks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { allEntries, type BuiltFunction, buildFunctions } from "#infra/build.ts";
import { type CreateAppOptions, createApp, type WardenApp } from "#infra/stacks/app-factory.ts";
import { tokenPublicKeysWorker } from "#infra/workers.ts";

export interface SynthesizedWarden extends WardenApp {
  assembly: CloudAssembly;
  built: BuiltFunction[];
  stacks: Stack[];
  template(stack: Stack): Template;
  cleanup(): Promise<void>;
}

export async function synthWarden(
  options: Omit<CreateAppOptions, "assetsDir" | "outdir" | "nag"> = {},
): Promise<SynthesizedWarden> {
  const dir = await mkdtemp(join(tmpdir(), "warden-infra-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const assetsDir = join(dir, "functions");
  let built: BuiltFunction[];
  let warden: WardenApp;
  let assembly: CloudAssembly;
  try {
    built = await buildFunctions({
      outdir: assetsDir,
      // The fast build: these tests assert templates and IAM, which do not depend on where the SDK
      // comes from. A deploy bundles it (app.test.ts proves that on a few functions).
      sdk: "external",
      // The deploy-time token public-key lookup is deployed whenever a function needs the keys,
      // whichever workers a test picks (infra/constructs/token-public-keys.ts).
      entries: allEntries(
        options.routeFiles && Object.values(options.routeFiles).flat(),
        options.workers && [...options.workers.filter((w) => w.id !== tokenPublicKeysWorker.id), tokenPublicKeysWorker],
      ),
    });
    warden = createApp({ ...options, assetsDir, outdir: join(dir, "cdk.out"), nag: true });
    // With cdk-nag registered, synth throws on any unacknowledged AwsSolutions error, as `cdk synth` does.
    assembly = warden.app.synth();
  } catch (error) {
    await cleanup();
    throw error;
  }
  const stacks = warden.app.node.children.filter((c): c is Stack => Stack.isStack(c));
  const templates = new Map<Stack, Template>();
  return {
    ...warden,
    assembly,
    built,
    stacks,
    template: (stack) => {
      const t = templates.get(stack) ?? Template.fromStack(stack);
      templates.set(stack, t);
      return t;
    },
    cleanup,
  };
}

/** cdk-nag AwsSolutions findings left after acknowledgements (errors and warnings), for one scope. */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath ?? "?"}`),
  );
}

/** cdk-nag NIST 800-53 rev 5 findings left after acknowledgements (infra/constructs/nag-nist.ts). */
export function nistFindings(scope: IConstruct): string[] {
  const report = new NIST80053R5Checks().validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath ?? "?"}`),
  );
}

export type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

/** The IAM statements of every inline policy attached to the role of the function with `description`. */
export function statementsOfFunction(template: Template, description: string): Statement[] {
  const fns = Object.values(
    template.findResources("AWS::Lambda::Function", { Properties: { Description: description } }),
  );
  if (fns.length !== 1) throw new Error(`expected one function '${description}', found ${fns.length}`);
  const roleRef = fns[0]?.Properties.Role["Fn::GetAtt"][0];
  const policies = Object.values(template.findResources("AWS::IAM::Policy")).filter((p) =>
    p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleRef),
  );
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
