/**
 * The token-signing keys' public halves as the functions of one stack get them: the stack's own
 * lookup resource (`Custom::WardenTokenPublicKeys`), served by the one lookup function
 * (token-public-keys.ts `TokenPublicKeyLookup`). Its properties are the key ARNs, so a key replaced
 * on a later deploy changes the stack's template, runs the lookup again and gives the functions the
 * new value. Per stack, not one exported value: CloudFormation refuses to change an export that
 * another stack imports, which a rotation would have to do.
 */
import { CustomResource, Stack } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { AccessTargets } from "./access-policy.ts";

export interface ShippedPublicKeys {
  /** SPKI PEM of the current signing key (a deploy-time attribute). */
  current: string;
  /** SPKI PEM of the previous key, during a rotation only. */
  previous?: string;
}

/** What the lookup resource needs from the platform (warden-function.ts `PlatformResources`). */
export type KeyLookupTargets = Pick<AccessTargets, "jwtKey" | "previousJwtKeyArn"> & {
  tokenPublicKeyLookup?(): string;
};

const perStack = new WeakMap<Stack, ShippedPublicKeys>();

/**
 * The public halves as the functions of `scope`'s stack get them: one lookup resource per stack,
 * made on first use.
 */
export function shippedPublicKeys(scope: IConstruct, platform: KeyLookupTargets): ShippedPublicKeys {
  const stack = Stack.of(scope);
  let keys = perStack.get(stack);
  if (keys) return keys;
  const serviceToken = platform.tokenPublicKeyLookup?.();
  if (!serviceToken) {
    throw new Error(
      `${stack.stackName}: a function that verifies tokens needs the deploy-time public-key lookup ` +
        "(platform.tokenPublicKeyLookup, infra/constructs/token-public-keys.ts)",
    );
  }
  const previous = platform.previousJwtKeyArn;
  const resource = new CustomResource(stack, "TokenPublicKeys", {
    serviceToken,
    resourceType: "Custom::WardenTokenPublicKeys",
    properties: { KeyArn: platform.jwtKey.keyArn, ...(previous && { PreviousKeyArn: previous }) },
  });
  keys = {
    current: resource.getAttString("PublicKey"),
    ...(previous && { previous: resource.getAttString("PreviousPublicKey") }),
  };
  perStack.set(stack, keys);
  return keys;
}
