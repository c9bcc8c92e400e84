/**
 * The origin secret of the CloudFront distribution (`-c waf=true`): generated once per installation
 * by Secrets Manager, sent by CloudFront to the origin on every request (`x-warden-origin-verify`,
 * infra/stacks/edge-stack.ts) and given to every route function (`WARDEN_ORIGIN_SECRET`), so the kit
 * trusts `CloudFront-Viewer-Address` only on requests that really came through the distribution
 * (shared/kit/client-address.ts). Both read it as a CloudFormation dynamic reference, resolved at
 * deploy time: the value is in no template. It lives in the data stack, upstream of the route
 * stacks and the edge stack alike.
 */
import { Validations } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { ORIGIN_VERIFY_HEADER } from "#shared/kit/client-address.ts";

/** The header as CloudFront sends it (the kit reads headers lower-cased). */
export const ORIGIN_VERIFY_HEADER_NAME = "X-Warden-Origin-Verify";
if (ORIGIN_VERIFY_HEADER_NAME.toLowerCase() !== ORIGIN_VERIFY_HEADER) throw new Error("origin header names disagree");

export interface OriginSecret {
  secret: Secret;
  /** The dynamic reference to the value (`{{resolve:secretsmanager:…}}`), for CloudFront and the functions. */
  value: string;
}

export function createOriginSecret(scope: Construct): OriginSecret {
  const secret = new Secret(scope, "OriginVerifySecret", {
    description: "Warden: the secret CloudFront sends to the API origin (x-warden-origin-verify)",
    generateSecretString: { passwordLength: 48, excludePunctuation: true },
  });
  const reason = (text: string) => ({ reason: text });
  const rotation =
    "The value is resolved into CloudFront's origin header and the route functions' environment at deploy " +
    "time, so a rotation is a new value plus a deploy (README 'The front door'); an automatic rotation would " +
    "leave them disagreeing (requests would fall back to the edge address, never be trusted wrongly).";
  Validations.of(secret).acknowledge({ id: "AwsSolutions-SMG4", ...reason(rotation) });
  Validations.of(secret).acknowledge({ id: "NIST.800.53.R5-SecretsManagerRotationEnabled", ...reason(rotation) });
  Validations.of(secret).acknowledge({
    id: "NIST.800.53.R5-SecretsManagerUsingKMSKey",
    ...reason(
      "Only CloudFormation reads it (dynamic references, at deploy); it proves a request's path, it protects " +
        "no data, so the AWS managed key suffices.",
    ),
  });
  return { secret, value: secret.secretValue.unsafeUnwrap() };
}
