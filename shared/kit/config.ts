/**
 * Environment, read and checked once per cold start. Everything a function needs from its
 * environment comes through here, so a missing or malformed variable fails at import, loudly.
 */
import * as z from "zod/mini";

const Env = z.object({
  TABLE_NAME: z._default(z.string().check(z.minLength(1)), "warden"),
  AWS_REGION: z._default(z.string(), "us-east-1"),
  /** Set in local mode and tests: DynamoDB Local's URL. Unset in AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** AWS: the KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs access tokens. */
  JWT_KMS_KEY_ID: z.optional(z.string().check(z.minLength(1))),
  /**
   * AWS: the token-signing key's public half (SPKI PEM), read from KMS once at deploy time
   * (infra/constructs/token-public-keys.ts), so a function that verifies tokens or serves the JWKS
   * never calls KMS; during a rotation the previous key's comes likewise, as
   * WARDEN_JWT_PREVIOUS_PUBLIC_KEY. Unset (an older deployment, local mode): read from the signing key.
   */
  WARDEN_JWT_PUBLIC_KEY: z.optional(z.string().check(z.minLength(1))),
  /** Local: the PEM of the P-256 private key that signs access tokens. */
  WARDEN_JWT_PRIVATE_KEY: z.optional(z.string().check(z.minLength(1))),
  /**
   * AWS, during a signing-key rotation only (`-c previousTokenKeyArn=`): the previous KMS signing
   * key, whose tokens still verify (and whose public half the JWKS serves) until it is removed.
   */
  JWT_PREVIOUS_KMS_KEY_ID: z.optional(z.string().check(z.minLength(1))),
  /** Local, during a rotation only: the PEM (public, or the private key it derives from) of the previous key. */
  WARDEN_JWT_PREVIOUS_PUBLIC_KEY: z.optional(z.string().check(z.minLength(1))),
  /** AWS: the symmetric KMS key that wraps data keys for envelope encryption of secrets. */
  DATA_KMS_KEY_ID: z.optional(z.string().check(z.minLength(1))),
  /** Local: base64 of a 32-byte master key standing in for the KMS data key. */
  WARDEN_DATA_KEY: z.optional(z.string().check(z.minLength(40))),
  /** Local: the IoT data-plane endpoint of the local IoT Core (shadows over HTTP). */
  IOT_DATA_ENDPOINT: z.optional(z.url()),
  /** AWS: the account's `iot:Data-ATS` endpoint host, resolved at deploy time. */
  IOT_ENDPOINT_ADDRESS: z.optional(z.string().check(z.minLength(1))),
  /** AWS: the static IoT policy (deployed by the IoT stack) the registry attaches to gateway certificates. */
  IOT_GATEWAY_POLICY_NAME: z.optional(z.string().check(z.minLength(1))),
  /** Local: the MQTT URL of the local broker (devices connect here). */
  MQTT_URL: z.optional(z.string()),
  WARDEN_ISSUER: z._default(z.string(), "warden"),
  WARDEN_AUDIENCE: z._default(z.string(), "warden-api"),
  WARDEN_TOKEN_TTL_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 3600),
  /**
   * Outgoing webhooks may target private, loopback, link-local and unique-local addresses (and
   * plain http) only when the operator says so: local mode and tests. Never in a shared deployment.
   */
  WARDEN_WEBHOOK_ALLOW_PRIVATE: z._default(z.stringbool(), false),
  /** Where user notifications (welcome mail, 2FA codes) go: the table's outbox (local) or SES/SNS (AWS). */
  NOTIFIER: z._default(z.enum(["outbox", "aws"]), "outbox"),
  /** AWS: the SES-verified sender of user notifications. */
  NOTIFIER_FROM_EMAIL: z._default(z.string().check(z.minLength(3)), "no-reply@warden.invalid"),
  /** AWS: the data stack's bucket for per-tenant files (backups, training data, models, exports). */
  BLOB_BUCKET: z.optional(z.string().check(z.minLength(3))),
  /** Local mode and tests: the directory standing in for the blob bucket. */
  BLOB_DIR: z.optional(z.string().check(z.minLength(1))),
  /**
   * AWS, optional: the Amazon Bedrock model (or inference profile) id the insights summary writes
   * its prose with (`-c bedrockModelId=`); unset, the summary is the deterministic rules text.
   */
  WARDEN_BEDROCK_MODEL_ID: z.optional(z.string().check(z.minLength(1))),
  /**
   * AWS: the data stack's tenant-access role, assumed per tenant with the session tag `tenant=<id>`
   * once the caller is verified (shared/tenancy/credentials.ts). Unset locally: a stand-in issues them.
   */
  WARDEN_TENANT_ROLE_ARN: z.optional(z.string().check(z.minLength(20))),
  /**
   * AWS with `-c waf=true`: the secret CloudFront sends to the origin (`x-warden-origin-verify`);
   * only a request carrying it may name the client's address (`CloudFront-Viewer-Address`,
   * shared/kit/client-address.ts). Unset: the API Gateway source IP is the client's address.
   */
  WARDEN_ORIGIN_SECRET: z.optional(z.string().check(z.minLength(16))),
  WARDEN_LOG_LEVEL: z._default(z.enum(["debug", "info", "warn", "error", "silent"]), "info"),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  const fields = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
  throw new Error(`Invalid environment: ${fields}`);
}

export const config = parsed.data;
export type Config = typeof config;
