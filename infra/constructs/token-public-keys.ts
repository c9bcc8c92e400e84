/**
 * The token-signing keys' public halves, shipped with the deployment (issue 16 item 3): a function
 * that verifies access tokens or serves the JWKS gets the key as configuration
 * (`WARDEN_JWT_PUBLIC_KEY`, and `WARDEN_JWT_PREVIOUS_PUBLIC_KEY` during a rotation), so a cold start
 * neither loads the KMS client nor waits on a TLS handshake and a round trip to KMS, and no verifier
 * holds a KMS grant at all. The public key is not secret and does not change for a key's life.
 *
 * No offline synth can know the key, so it is read at deploy time:
 * - `TokenPublicKeyLookup` (one per app, in the data stack beside the key): the lookup function
 *   (functions/workers/token-public-keys.ts, bundled like the workers), which alone may call
 *   kms:GetPublicKey on the current and the previous signing key, behind the CDK provider framework.
 *   aws-cdk-lib's AwsCustomResource cannot do it: its handler decodes binary response fields as
 *   UTF-8, which garbles the DER public key; this handler returns SPKI PEM text.
 * - `shippedPublicKeys` (shipped-public-keys.ts; one custom resource per stack that has verifiers): the stack's own
 *   resource, whose properties are the key ARNs, so a key replaced on a later deploy changes the
 *   stack's template, runs the lookup again and gives the functions the new value. Per stack, not one
 *   exported value: CloudFormation refuses to change an export that another stack imports, which a
 *   rotation would have to do.
 */
import { Duration } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Provider } from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import { tokenPublicKeysWorker } from "../workers.ts";
import { acknowledgeTokenKeyLookupProvider } from "./nag.ts";
import { type PlatformResources, WardenFunction } from "./warden-function.ts";

/** The lookup function's id (infra/workers.ts `tokenPublicKeysWorker`, `dist/functions/<id>/`). */
export const TOKEN_PUBLIC_KEYS_FUNCTION_ID = tokenPublicKeysWorker.id;

export interface TokenPublicKeyLookupProps {
  assetsDir: string;
  platform: PlatformResources;
}

/** The provider every stack's lookup resource is served by. */
export class TokenPublicKeyLookup extends Construct {
  readonly serviceToken: string;
  readonly function: WardenFunction;

  constructor(scope: Construct, id: string, props: TokenPublicKeyLookupProps) {
    super(scope, id);
    this.function = new WardenFunction(this, TOKEN_PUBLIC_KEYS_FUNCTION_ID, {
      functionId: TOKEN_PUBLIC_KEYS_FUNCTION_ID,
      assetsDir: props.assetsDir,
      description: "Deploy time: reads the token-signing keys' public halves for the verifiers",
      needs: { tokenKeyLookup: true },
      // Invoked by CloudFormation during a deploy only: no canary, no reservation.
      platform: { ...props.platform, release: undefined, concurrency: false },
      timeout: Duration.minutes(1),
    });

    const logGroup = new LogGroup(this, "ProviderLogs", { retention: RetentionDays.ONE_MONTH });
    // An explicit role instead of the framework's default AWSLambdaBasicExecutionRole.
    const role = new Role(this, "ProviderRole", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "Warden: the custom-resource framework that invokes the token public-key lookup",
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );
    const provider = new Provider(this, "Provider", {
      onEventHandler: this.function.alias,
      frameworkOnEventRole: role,
      logGroup,
    });
    this.serviceToken = provider.serviceToken;
    acknowledgeTokenKeyLookupProvider(provider);
  }
}
