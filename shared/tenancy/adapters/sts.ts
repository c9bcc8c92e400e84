/**
 * Tenant credentials from AWS STS: AssumeRole into the data stack's tenant-access role with the
 * session tag `tenant=<id>` (the role's policy fences `dynamodb:LeadingKeys` by that tag) and the
 * route's own table statements as the session policy (the scope-down). Deployed functions only.
 */
import type { STSClient } from "@aws-sdk/client-sts";
import { config } from "#shared/kit/config.ts";
import { onFirstUse } from "#shared/kit/lazy.ts";
import type { CredentialIssuer } from "../credentials-port.ts";

type StsSdk = typeof import("@aws-sdk/client-sts");

// The SDK module is imported, and the client built, on the first issue: ~195 request-path functions
// reach this module, and locally (the stand-in issuer) none sends. In AWS the first issue starts
// beside authentication's first DynamoDB call (shared/tenancy/credentials.ts), so the module's load
// runs while that call is on the network instead of before the import ends. A failed import is
// retried by the next call.
const sts = onFirstUse<{ sdk: StsSdk; client: STSClient }>(() =>
  import("@aws-sdk/client-sts").then((sdk) => ({ sdk, client: new sdk.STSClient({ region: config.AWS_REGION }) })),
);

export const stsIssuer: CredentialIssuer = {
  async issue({ tenantId, sessionPolicy, durationSeconds }) {
    const roleArn = config.WARDEN_TENANT_ROLE_ARN;
    if (!roleArn) throw new Error("WARDEN_TENANT_ROLE_ARN is not set: tenant credentials cannot be obtained");
    const { sdk, client } = await sts();
    const out = await client.send(
      new sdk.AssumeRoleCommand({
        RoleArn: roleArn,
        // Session names allow [\w+=,.@-]; tenant ids are slugs. CloudTrail shows whose session it was.
        RoleSessionName: `tenant-${tenantId}`.slice(0, 64),
        Tags: [{ Key: "tenant", Value: tenantId }],
        Policy: sessionPolicy,
        DurationSeconds: durationSeconds,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error("STS AssumeRole returned no credentials");
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  },
};
