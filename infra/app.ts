/**
 * `cdk synth` / `cdk deploy` entry (cdk.json: `tsx infra/app.ts`). Bundles must exist first:
 * `npm run synth` runs `infra/build.ts` before the CDK CLI.
 *
 * Context (`cdk synth -c key=value`): `prefix` (stack name prefix), `issuer`, `audience`,
 * `notifier=aws` with `notifierFromEmail=<SES-verified sender>` to send user notifications through
 * SES/SNS (default: the table's outbox), `stripeSecretArn=<Secrets Manager secret ARN or name>` to
 * bill through Stripe (README "Deploy": what the secret holds), `alertEmail=<address>` to subscribe
 * it to the alert topic every alarm notifies, `apiRouteMetrics=true` for per-route API metrics, `nag=false` to skip cdk-nag for a quick synth (the infra
 * tests always run it).
 */
import { existsSync } from "node:fs";
import { App } from "aws-cdk-lib";
import { DEFAULT_OUTDIR } from "./build.ts";
import { nagVerdict } from "./nag-verdict.ts";
import { createApp } from "./stacks/app-factory.ts";

// Context is read from a throwaway App (createApp builds the real one); autoSynth off, or it would
// overwrite the real app's cloud assembly with an empty one when the process exits.
const context = new App({ autoSynth: false }).node;
const text = (key: string): string | undefined => {
  const value: unknown = context.tryGetContext(key);
  return typeof value === "string" && value.length > 0 ? value : undefined;
};

if (!existsSync(DEFAULT_OUTDIR)) {
  throw new Error(`No function bundles in ${DEFAULT_OUTDIR}: run \`npm run build\` (or \`npm run synth\`) first`);
}

const issuer = text("issuer");
const audience = text("audience");
const notifier = text("notifier");
if (notifier !== undefined && notifier !== "aws" && notifier !== "outbox") {
  throw new Error(`-c notifier must be "aws" or "outbox", not "${notifier}"`);
}
const notifierFromEmail = text("notifierFromEmail");
if (notifier === "aws" && !notifierFromEmail)
  throw new Error("-c notifier=aws needs -c notifierFromEmail=<SES-verified sender>");
const { app } = createApp({
  assetsDir: DEFAULT_OUTDIR,
  prefix: text("prefix"),
  nag: text("nag") !== "false",
  stripeSecretArn: text("stripeSecretArn"),
  alertEmail: text("alertEmail"),
  apiRouteMetrics: text("apiRouteMetrics") === "true",
  settings: {
    ...(issuer && { issuer }),
    ...(audience && { audience }),
    ...(notifier && { notifier }),
    ...(notifierFromEmail && { notifierFromEmail }),
  },
});
app.synth();
// Synth has passed the cdk-nag gate (it throws on an unacknowledged error); say so, with its size.
if (text("nag") !== "false") process.stderr.write(`${nagVerdict(app).line}\n`);
else process.stderr.write("cdk-nag skipped (-c nag=false)\n");
