/**
 * Tenant credentials from AWS STS: AssumeRole into the data stack's tenant-access role with the
 * session tag `tenant=<id>` (the role's policy fences `dynamodb:LeadingKeys` by that tag) and the
 * route's own table statements as the session policy (the scope-down). Deployed functions only.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { config } from "#shared/kit/config.ts";
import type { CredentialIssuer } from "../credentials-port.ts";

let sts: STSClient | undefined;

export const stsIssuer: CredentialIssuer = {
  async issue({ tenantId, sessionPolicy, durationSeconds }) {
    const roleArn = config.WARDEN_TENANT_ROLE_ARN;
    if (!roleArn) throw new Error("WARDEN_TENANT_ROLE_ARN is not set: tenant credentials cannot be obtained");
    sts ??= new STSClient({ region: config.AWS_REGION });
    const out = await sts.send(
      new AssumeRoleCommand({
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
