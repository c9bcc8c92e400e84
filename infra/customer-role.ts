/**
 * `npm run -s customer-role -- [--platform-account <12 digits>] [--prefix Warden] [--out <file>]`:
 * writes the CloudFormation template of the read-only scan role a customer deploys in the account
 * Cloudsentinel scans (infra/stacks/customer-role-stack.ts), to `--out` or stdout. Offline, no
 * credentials; cdk-nag AwsSolutions checks it like the app. `--prefix` is the Warden deployment's
 * stack prefix (`-c prefix`), which fixes the IAM path of its scanner roles.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { App, BootstraplessSynthesizer, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { deploymentNames } from "./constructs/access-policy.ts";
import { CustomerScanRoleStack } from "./stacks/customer-role-stack.ts";

export const CUSTOMER_ROLE_STACK = "WardenCustomerScanRole";

/** The template as a JSON-ready object (synthesized in a throwaway directory). */
export function customerRoleTemplate(options: { platformAccountId?: string; prefix?: string }): unknown {
  const outdir = mkdtempSync(join(tmpdir(), "warden-customer-role-"));
  try {
    const app = new App({ outdir });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new CustomerScanRoleStack(app, CUSTOMER_ROLE_STACK, {
      description: "Warden Cloudsentinel: read-only role for security scans of this account",
      platformAccountId: options.platformAccountId,
      scannerRolePath: deploymentNames(options.prefix ?? "Warden").scannerRolePath,
      // Deployed by the customer, maybe without CDK: no bootstrap version check, no metadata resource.
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
    });
    return app.synth().getStackByName(CUSTOMER_ROLE_STACK).template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { "platform-account": { type: "string" }, prefix: { type: "string" }, out: { type: "string" } },
  });
  const account = values["platform-account"];
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    throw new Error("--platform-account must be a 12-digit AWS account id");
  }
  const text = `${JSON.stringify(customerRoleTemplate({ platformAccountId: account, prefix: values.prefix }), null, 2)}\n`;
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
}
