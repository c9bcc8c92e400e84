/** Lambda: who can invoke a function, and whether its runtime is still patched. */
import type { Inventory } from "../inventory.ts";
import { daysSince } from "./dates.ts";
import { LAMBDA_RUNTIME_DEPRECATION } from "./lambda-runtimes.ts";
import { publicAllowStatements, statementCovers } from "./policy.ts";
import type { CheckDefinition, Result } from "./types.ts";

type LambdaFunction = Inventory["lambda"]["Functions"][number];

/** Deprecations this close are named in a passing result, so the upgrade can be planned. */
const DEPRECATION_NOTICE_DAYS = 180;

function result(fn: LambdaFunction, status: Result["status"], details: string): Result {
  return { status, resourceId: fn.FunctionArn, resourceArn: fn.FunctionArn, region: fn.region, details };
}

export const lambdaChecks: CheckDefinition[] = [
  {
    id: "awslambda_function_url_public",
    title: "Lambda function URL requires IAM authentication",
    service: "lambda",
    severity: "high",
    resourceType: "AwsLambdaFunction",
    categories: ["internet-exposed"],
    risk: "A function URL with auth type NONE can be called by anyone on the internet, running code and spending money on their behalf.",
    remediation: {
      cli: "aws lambda update-function-url-config --function-name <fn> --auth-type AWS_IAM",
      console: "Lambda > Functions > the function > Configuration > Function URL > Edit: Auth type AWS_IAM.",
      url: "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": [],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.1"],
    },
    evaluate: (inv) =>
      inv.lambda.Functions.filter((fn) => fn.FunctionUrlConfigs.length > 0).map((fn) =>
        fn.FunctionUrlConfigs.some((u) => u.AuthType === "NONE")
          ? result(fn, "FAIL", `Function ${fn.FunctionName} has a URL anyone can call without signing.`)
          : result(fn, "PASS", `Function ${fn.FunctionName}'s URL requires IAM authentication.`),
      ),
  },
  {
    id: "awslambda_function_using_supported_runtimes",
    title: "Lambda function runs on a supported runtime",
    service: "lambda",
    severity: "medium",
    resourceType: "AwsLambdaFunction",
    categories: ["vulnerabilities"],
    risk: "A deprecated runtime no longer gets security patches, and soon cannot be updated either.",
    remediation: {
      cli: "aws lambda update-function-configuration --function-name <fn> --runtime <supported-runtime>",
      console:
        "Lambda > Functions > the function > Code > Runtime settings > Edit: choose a supported runtime (after testing the code on it).",
      url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["Lambda.2"],
      "nist-csf-2.0": [],
      "iso-27001-2022": [],
    },
    evaluate: (inv) => {
      const now = Date.parse(inv.collectedAt);
      // Container-image functions bring their own runtime: nothing to judge here.
      return inv.lambda.Functions.flatMap((fn) => {
        if (fn.Runtime === undefined) return [];
        const deprecatedOn = LAMBDA_RUNTIME_DEPRECATION[fn.Runtime];
        if (deprecatedOn === undefined) {
          return [result(fn, "MANUAL", `Runtime ${fn.Runtime} of ${fn.FunctionName} is not in the deprecation table.`)];
        }
        const since = daysSince(`${deprecatedOn}T00:00:00Z`, now) ?? 0;
        if (since >= 0) {
          return [result(fn, "FAIL", `Function ${fn.FunctionName} runs ${fn.Runtime}, deprecated on ${deprecatedOn}.`)];
        }
        const soon = -since <= DEPRECATION_NOTICE_DAYS ? ` (deprecated on ${deprecatedOn}, plan the upgrade)` : "";
        return [result(fn, "PASS", `Function ${fn.FunctionName} runs supported runtime ${fn.Runtime}${soon}.`)];
      });
    },
  },
  {
    id: "awslambda_function_not_publicly_accessible",
    title: "Lambda function policy does not let everyone invoke it",
    service: "lambda",
    severity: "critical",
    resourceType: "AwsLambdaFunction",
    categories: ["internet-exposed"],
    risk: "A resource policy allowing everyone lets any AWS account invoke the function, or change it if the statement is broader.",
    remediation: {
      cli: "aws lambda remove-permission --function-name <fn> --statement-id <sid>",
      console:
        "Lambda > Functions > the function > Configuration > Permissions > Resource-based policy statements: delete the statement for Principal *, or add a source account/ARN condition.",
      url: "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["Lambda.1"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.1"],
    },
    evaluate: (inv) =>
      inv.lambda.Functions.map((fn) => {
        const open = publicAllowStatements(fn.Policy).filter(
          (s) => statementCovers(s, "lambda:InvokeFunction") || statementCovers(s, "lambda:InvokeFunctionUrl"),
        );
        return open.length > 0
          ? result(fn, "FAIL", `Function ${fn.FunctionName}'s policy lets everyone invoke it.`)
          : result(fn, "PASS", `Function ${fn.FunctionName}'s policy does not let everyone invoke it.`);
      }),
  },
];
