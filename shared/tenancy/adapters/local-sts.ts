/**
 * The local stand-in for STS AssumeRole (local mode and the tests): it issues credentials bound to
 * the tenant tag and the session policy it was asked for, with an expiry, as STS does. DynamoDB
 * Local accepts any credentials, so what fences the session is the tenant client's evaluation of
 * the same policies (shared/table/leading-keys.ts), which runs in AWS too: the code path past
 * issuing the credentials is the deployed one.
 */
import { createHash, randomBytes } from "node:crypto";
import type { CredentialIssuer } from "../credentials-port.ts";

/** Every credential set issued by this process (tests assert the cache re-uses them). */
export const localIssued = { count: 0 };

export const localStsIssuer: CredentialIssuer = {
  async issue({ tenantId, sessionPolicy, durationSeconds }) {
    localIssued.count += 1;
    const policy = createHash("sha256").update(sessionPolicy).digest("base64url").slice(0, 16);
    return {
      accessKeyId: `ASIALOCAL${randomBytes(8).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString("base64url"),
      // What a real session token carries opaquely: the tags and the policy it was issued for.
      sessionToken: Buffer.from(JSON.stringify({ tags: { tenant: tenantId }, policy })).toString("base64url"),
      expiration: new Date(Date.now() + durationSeconds * 1000),
    };
  },
};
