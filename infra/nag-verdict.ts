/**
 * cdk-nag's verdict as one line, for `npm run synth` to print (the Validations plugin is silent
 * when it passes): how many AwsSolutions rules ran on how many resources, and how many findings
 * are left unacknowledged (a synth with any unacknowledged error has already failed).
 */
import { type CfnResource, Stack } from "aws-cdk-lib";
import { AwsSolutionsChecks, type IApplyRule } from "cdk-nag";
import type { IConstruct } from "constructs";

/** The AwsSolutions pack, counting the rules it applies and the resources it applies them to. */
class CountingChecks extends AwsSolutionsChecks {
  readonly rules = new Set<string>();
  readonly resources = new Set<CfnResource>();
  protected override applyRule(params: IApplyRule): void {
    this.rules.add(`${params.rule.name}${params.ruleSuffixOverride ?? ""}`);
    this.resources.add(params.node);
    super.applyRule(params);
  }
}

export interface NagVerdict {
  rules: number;
  resources: number;
  stacks: number;
  unacknowledged: number;
  line: string;
}

export function nagVerdict(scope: IConstruct): NagVerdict {
  const checks = new CountingChecks();
  const report = checks.validateScope(scope);
  const unacknowledged = report.violations.reduce((n, v) => n + v.violatingResources.length, 0);
  const stacks = scope.node.findAll().filter((c) => Stack.isStack(c)).length;
  const verdict = unacknowledged === 0 ? "0 unacknowledged findings" : `${unacknowledged} UNACKNOWLEDGED findings`;
  return {
    rules: checks.rules.size,
    resources: checks.resources.size,
    stacks,
    unacknowledged,
    line: `cdk-nag AwsSolutions: ${checks.rules.size} rules checked on ${checks.resources.size} resources in ${stacks} stacks: ${verdict} (acknowledgements and their reasons: infra/constructs/nag.ts)`,
  };
}
