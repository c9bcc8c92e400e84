/**
 * `-c waf=true`: CloudFront in front of the HTTP API with a WAFv2 web ACL (WAF does not attach to
 * an HTTP API directly). The ACL blocks by AWS managed rule groups (IP reputation, common exploits,
 * known bad inputs) and by two rate-based rules per client address: a tight one on the public
 * sign-in paths and a wide one on everything.
 *
 * Region: a web ACL for CloudFront (scope CLOUDFRONT) can only be created in us-east-1. The stack is
 * environment-agnostic like the rest of the app, so `-c waf=true` requires deploying the app to
 * us-east-1; `infra/app.ts` refuses another region when the CLI knows it (CDK_DEFAULT_REGION), and
 * CloudFormation would refuse the ACL anyway. An installation in another region puts its own
 * CloudFront + WAF (a separate us-east-1 app) in front of the custom domain instead (README "Deploy").
 */
import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { CfnLoggingConfiguration, CfnWebACL } from "aws-cdk-lib/aws-wafv2";
import type { Construct } from "constructs";
import { acknowledgeEdgeDistribution } from "../constructs/nag.ts";
import { ORIGIN_VERIFY_HEADER_NAME } from "../constructs/origin-secret.ts";
import type { CustomDomain } from "./api-stack.ts";

/** Requests per client address in five minutes (WAF's window), above which WAF blocks it for a while. */
export const EDGE_RATE_LIMITS = {
  /** The public sign-in paths together: about one attempt every three seconds. */
  signIn: 100,
  /** Every path: about 10 requests per second, sustained over five minutes. */
  all: 3000,
};

/** Managed rule groups, in evaluation order after the rate rules. */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
] as const;

export interface EdgeStackProps extends StackProps {
  /** WAF's log group must be named `aws-waf-logs-…`; the prefix keeps two deployments apart. */
  logGroupName: string;
  /** Host name of the API's execute-api endpoint (the origin). */
  originHost: string;
  /** Paths of the public sign-in routes (API Gateway form), for the tight rate rule. */
  signInPaths: string[];
  /** With a domain, CloudFront serves it; its certificate must be in us-east-1 (as the whole app then is). */
  domain?: CustomDomain;
  /**
   * The origin secret (a dynamic reference, infra/constructs/origin-secret.ts), sent to the origin
   * on every request: the route functions trust `CloudFront-Viewer-Address` only beside it.
   */
  originSecret?: string;
}

export class EdgeStack extends Stack {
  readonly webAcl: CfnWebACL;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const pathIs = (path: string): CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: "EXACTLY",
        searchString: path,
        textTransformations: [{ priority: 0, type: "NONE" }],
      },
    });
    const signInPaths = [...new Set(props.signInPaths)].sort();
    const rules: CfnWebACL.RuleProperty[] = [];
    if (signInPaths.length > 0) {
      const [only] = signInPaths;
      rules.push({
        name: "RateLimitSignIn",
        priority: rules.length,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: EDGE_RATE_LIMITS.signIn,
            aggregateKeyType: "IP",
            scopeDownStatement:
              signInPaths.length === 1 && only
                ? pathIs(only)
                : { orStatement: { statements: signInPaths.map(pathIs) } },
          },
        },
        visibilityConfig: visibility("RateLimitSignIn"),
      });
    }
    rules.push({
      name: "RateLimitAll",
      priority: rules.length,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: EDGE_RATE_LIMITS.all, aggregateKeyType: "IP" } },
      visibilityConfig: visibility("RateLimitAll"),
    });
    for (const name of MANAGED_RULE_GROUPS) {
      rules.push({
        name,
        priority: rules.length,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: "AWS",
            name,
            // The common rule set blocks bodies over 8 KB; backups, CSV uploads and evidence
            // exports are larger, and their routes check their own size limits.
            ...(name === "AWSManagedRulesCommonRuleSet" && {
              ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }],
            }),
          },
        },
        visibilityConfig: visibility(name),
      });
    }
    this.webAcl = new CfnWebACL(this, "WebAcl", {
      scope: "CLOUDFRONT",
      defaultAction: { allow: {} },
      description: "Warden API: managed rule groups and per-address rate limits",
      rules,
      visibilityConfig: visibility("WardenApi"),
    });

    // Every request WAF sees, with the credentials redacted (tokens and API keys never reach a log).
    const wafLogs = new LogGroup(this, "WafLogs", {
      logGroupName: props.logGroupName,
      retention: RetentionDays.THREE_MONTHS,
    });
    new CfnLoggingConfiguration(this, "WafLogging", {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [wafLogs.logGroupArn],
      redactedFields: ["authorization", "x-api-key", "cookie"].map((name) => ({ singleHeader: { Name: name } })),
    });

    this.distribution = new Distribution(this, "Distribution", {
      comment: "Warden API behind WAF",
      defaultBehavior: {
        origin: new HttpOrigin(props.originHost, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          readTimeout: Duration.seconds(30),
          // Replaces a header of the same name a viewer sends, so only CloudFront can present it.
          ...(props.originSecret && { customHeaders: { [ORIGIN_VERIFY_HEADER_NAME]: props.originSecret } }),
        }),
        allowedMethods: AllowedMethods.ALLOW_ALL,
        // An API: nothing is cached, every header but Host (API Gateway routes by its own) goes on,
        // with CloudFront's own headers (among them CloudFront-Viewer-Address, the client's ip:port).
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // A redirect would turn a POST into a GET; API clients are refused plain HTTP instead.
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      },
      webAclId: this.webAcl.attrArn,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      ...(props.domain && {
        domainNames: [props.domain.domainName],
        certificate: Certificate.fromCertificateArn(this, "Certificate", props.domain.certificateArn),
        minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
    });
    acknowledgeEdgeDistribution(this.distribution, !!props.domain);

    new CfnOutput(this, "EdgeUrl", {
      value: props.domain
        ? `https://${props.domain.domainName}/`
        : `https://${this.distribution.distributionDomainName}/`,
      description: "Base URL of the Warden API through CloudFront and WAF",
    });
    if (props.domain) {
      new CfnOutput(this, "DomainTarget", {
        value: this.distribution.distributionDomainName,
        description: `Point ${props.domain.domainName} (CNAME or Route 53 alias) here`,
      });
    }
  }
}
