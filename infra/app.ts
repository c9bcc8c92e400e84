/**
 * `cdk synth` / `cdk deploy` entry. cdk.json's app command is `tsx infra/build.ts && tsx infra/app.ts`,
 * so every synth and deploy bundles the functions from the sources first: a deploy ships what the
 * sources say, never a stale `dist/`. Offline: the build and the synth need no network.
 *
 * Context (`cdk synth -c key=value`): `prefix` (stack name prefix), `issuer`, `audience`,
 * `notifier=aws` with `notifierFromEmail=<SES-verified sender>` to send user notifications through
 * SES/SNS (default: the table's outbox), `stripeSecretArn=<Secrets Manager secret ARN or name>` to
 * bill through Stripe (README "Deploy": what the secret holds), `bedrockModelId=<model or inference
 * profile id>` for the insights summary's prose (Amazon Bedrock), `platformScanTenants=<tenant id>@<created_at>,…`
 * for the tenants that may scan the platform's own AWS account (README "Cloudsentinel"), `nag=false`
 * to skip cdk-nag for a quick synth (the infra tests always run it); `stage` (the Stage tag), `canary=true` (CodeDeploy canary per function),
 * `reservedConcurrency=false` or `reservedAuth`/`reservedIngest`/`reservedWorker` (per function) and
 * `accountConcurrency` (the quota they are checked against), `domainName` with `certificateArn`
 * (custom domain), `waf=true` (CloudFront + WAF; the app must be deployed to us-east-1).
 * `alertEmail=<address>` to subscribe it to the alert topic every alarm notifies, `apiRouteMetrics=true`
 * for per-route API metrics, `previousTokenKeyArn=<KMS key ARN>` during a token-signing-key rotation
 * (docs/token-key-rotation.md). README "Deploy" lists them all with what a deploy costs.
 */
import { existsSync } from "node:fs";
import { App } from "aws-cdk-lib";
import { DEFAULT_OUTDIR } from "./build.ts";
import { nagVerdict } from "./nag-verdict.ts";
import { createApp, DEFAULT_CONCURRENCY } from "./stacks/app-factory.ts";

// Context is read from a throwaway App (createApp builds the real one); autoSynth off, or it would
// overwrite the real app's cloud assembly with an empty one when the process exits.
const context = new App({ autoSynth: false }).node;
const text = (key: string): string | undefined => {
  const value: unknown = context.tryGetContext(key);
  return typeof value === "string" && value.length > 0 ? value : undefined;
};

if (!existsSync(DEFAULT_OUTDIR)) {
  throw new Error(
    `No function bundles in ${DEFAULT_OUTDIR}: run \`npm run build\` first (cdk.json's app command does)`,
  );
}

const flag = (key: string): boolean => {
  const value = text(key);
  if (value !== undefined && value !== "true" && value !== "false")
    throw new Error(`-c ${key} must be true or false, not "${value}"`);
  return value === "true";
};
const count = (key: string, fallback: number): number => {
  const value = text(key);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`-c ${key} must be a whole number, not "${value}"`);
  return Number(value);
};

const domainName = text("domainName");
const certificateArn = text("certificateArn");
if (!!domainName !== !!certificateArn)
  throw new Error("-c domainName and -c certificateArn go together (an ACM certificate for the name)");
const waf = flag("waf");
// A CloudFront web ACL exists only in us-east-1. The CLI sets CDK_DEFAULT_REGION from the profile
// when it knows it; without one the stacks stay region-agnostic and CloudFormation decides.
const region = process.env.CDK_DEFAULT_REGION;
if (waf && region && region !== "us-east-1") {
  throw new Error(
    `-c waf=true needs the app deployed to us-east-1 (a CloudFront web ACL is created there only), not ${region}; ` +
      'see README "Deploy" for fronting an installation in another region',
  );
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
// Each tenant by id AND creation time (shared/posture/platform.ts): `<id>@<created_at>`, the tenant
// item's createdAt exactly as stored. An id alone could name a tenant someone else signed up.
const platformScanTenants = text("platformScanTenants")
  ?.split(",")
  .map((entry) => entry.trim())
  .filter((entry) => entry.length > 0);
for (const entry of platformScanTenants ?? []) {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*@\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(entry)) {
    throw new Error(
      `-c platformScanTenants: "${entry}" is not <tenant id>@<created_at> (e.g. warden-ops@2026-11-30T11:03:50.123Z, ` +
        `the tenant item's createdAt as stored: README "Scans of Warden's own account" shows how to read it)`,
    );
  }
}
const { app } = createApp({
  assetsDir: DEFAULT_OUTDIR,
  prefix: text("prefix"),
  nag: text("nag") !== "false",
  stripeSecretArn: text("stripeSecretArn"),
  bedrockModelId: text("bedrockModelId"),
  ...(platformScanTenants?.length && { platformScanTenants }),
  stage: text("stage"),
  canary: flag("canary"),
  concurrency:
    text("reservedConcurrency") === "false"
      ? false
      : {
          auth: count("reservedAuth", DEFAULT_CONCURRENCY.auth),
          ingest: count("reservedIngest", DEFAULT_CONCURRENCY.ingest),
          worker: count("reservedWorker", DEFAULT_CONCURRENCY.worker),
        },
  accountConcurrency: count("accountConcurrency", 1000),
  ...(domainName && certificateArn && { domain: { domainName, certificateArn } }),
  waf,
  alertEmail: text("alertEmail"),
  apiRouteMetrics: text("apiRouteMetrics") === "true",
  previousTokenKeyArn: text("previousTokenKeyArn"),
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
