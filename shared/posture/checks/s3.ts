/** S3: who can reach a bucket, and whether its data is encrypted, versioned and logged. */
import { GLOBAL_REGION, type Inventory, type PublicAccessBlock, type S3Bucket } from "../inventory.ts";
import { deniesInsecureTransport, publicAllowStatements, statementCovers } from "./policy.ts";
import { bucketArn } from "./resource-ids.ts";
import type { CheckDefinition, Result } from "./types.ts";

const EVERYONE_URIS = new Set([
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
]);
const WRITE_PERMISSIONS = new Set(["WRITE", "WRITE_ACP", "FULL_CONTROL"]);
const WRITE_ACTIONS = ["s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy", "s3:PutBucketAcl", "s3:PutObjectAcl"];
const BPA_URL = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html";

function blocksEverything(b: PublicAccessBlock | null): boolean {
  return !!b && b.BlockPublicAcls && b.IgnorePublicAcls && b.BlockPublicPolicy && b.RestrictPublicBuckets;
}

/** What S3 actually enforces for a bucket: the account's and the bucket's blocks combined. */
function effectiveBlock(inv: Inventory, bucket: S3Bucket) {
  const account = inv.account.PublicAccessBlockConfiguration;
  const own = bucket.PublicAccessBlockConfiguration;
  return {
    ignoresAcls: !!(account?.IgnorePublicAcls || own?.IgnorePublicAcls),
    restrictsPolicy: !!(account?.RestrictPublicBuckets || own?.RestrictPublicBuckets),
  };
}

function everyoneGrants(bucket: S3Bucket) {
  return bucket.Acl.Grants.filter((g) => g.Grantee.Type === "Group" && EVERYONE_URIS.has(g.Grantee.URI ?? ""));
}

/** Why a bucket is reachable by everyone, after Block Public Access; empty when it is not. */
export function publicExposure(inv: Inventory, bucket: S3Bucket): string[] {
  const block = effectiveBlock(inv, bucket);
  const reasons: string[] = [];
  if (everyoneGrants(bucket).length > 0 && !block.ignoresAcls) reasons.push("its ACL grants access to everyone");
  const policyPublic = bucket.PolicyStatus?.IsPublic ?? publicAllowStatements(bucket.Policy).length > 0;
  if (policyPublic && !block.restrictsPolicy) reasons.push("its bucket policy allows everyone");
  return reasons;
}

function perBucket(inv: Inventory, judge: (bucket: S3Bucket) => Pick<Result, "status" | "details">): Result[] {
  return inv.s3.Buckets.map((bucket) => ({
    ...judge(bucket),
    resourceId: bucket.Name,
    resourceArn: bucketArn(inv, bucket.Name),
    region: bucket.region,
  }));
}

export const s3Checks: CheckDefinition[] = [
  {
    id: "s3_bucket_public_access",
    title: "S3 bucket is not readable or writable by everyone",
    service: "s3",
    severity: "critical",
    resourceType: "AwsS3Bucket",
    categories: ["internet-exposed"],
    risk: "Anyone on the internet can list, read or change what the bucket holds: data leaks, tampering, and a bill for someone else's traffic.",
    remediation: {
      cli: "aws s3api put-public-access-block --bucket <bucket> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
      console:
        "S3 > the bucket > Permissions: turn on Block all public access, then remove AllUsers/AuthenticatedUsers grants from the ACL and public statements from the bucket policy.",
      url: BPA_URL,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      // S3.2 ("prohibit public read access") has no check in Prowler's FSBP file; this check tests it.
      "aws-fsbp": ["S3.2"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.1"],
    },
    evaluate: (inv) =>
      perBucket(inv, (bucket) => {
        const reasons = publicExposure(inv, bucket);
        if (reasons.length > 0) {
          return { status: "FAIL", details: `Bucket ${bucket.Name} is public: ${reasons.join(" and ")}.` };
        }
        return { status: "PASS", details: `Bucket ${bucket.Name} is not public.` };
      }),
  },
  {
    id: "s3_account_level_public_access_blocks",
    title: "S3 Block Public Access is on for the whole account",
    service: "s3",
    severity: "high",
    resourceType: "AwsS3AccountPublicAccessBlock",
    categories: ["internet-exposed"],
    risk: "Without the account-wide block, one ACL or policy edit on any bucket, new or old, is enough to publish its contents.",
    remediation: {
      cli: "aws s3control put-public-access-block --account-id <account-id> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
      console: "S3 > Block Public Access settings for this account > Edit: tick all four settings and save.",
      url: BPA_URL,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["2.1.4"],
      "aws-fsbp": ["S3.1"],
      "nist-csf-2.0": ["RC.CO-04"],
      "iso-27001-2022": ["A.8.1"],
    },
    evaluate: (inv) => {
      const on = blocksEverything(inv.account.PublicAccessBlockConfiguration);
      return [
        {
          status: on ? "PASS" : "FAIL",
          resourceId: inv.account.AccountId,
          region: GLOBAL_REGION,
          details: on
            ? "All four Block Public Access settings are on at account level."
            : "Block Public Access is not fully on at account level.",
        },
      ];
    },
  },
  {
    id: "s3_bucket_level_public_access_block",
    title: "S3 bucket has Block Public Access on (itself or through the account)",
    service: "s3",
    severity: "high",
    resourceType: "AwsS3Bucket",
    categories: ["internet-exposed"],
    risk: "A bucket without the block can be made public by a single ACL or policy change, with nothing to stop it.",
    remediation: {
      cli: "aws s3api put-public-access-block --bucket <bucket> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
      console:
        "S3 > the bucket > Permissions > Block public access (bucket settings) > Edit: tick Block all public access.",
      url: BPA_URL,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["2.1.4"],
      "aws-fsbp": ["S3.8"],
      "nist-csf-2.0": [],
      "iso-27001-2022": [],
    },
    evaluate: (inv) =>
      perBucket(inv, (bucket) => {
        if (blocksEverything(bucket.PublicAccessBlockConfiguration)) {
          return { status: "PASS", details: `Bucket ${bucket.Name} blocks all public access.` };
        }
        if (blocksEverything(inv.account.PublicAccessBlockConfiguration)) {
          return { status: "PASS", details: `Bucket ${bucket.Name} is covered by the account-level block.` };
        }
        return { status: "FAIL", details: `Bucket ${bucket.Name} does not block public access.` };
      }),
  },
  {
    id: "s3_bucket_default_encryption",
    title: "S3 bucket encrypts new objects by default",
    service: "s3",
    severity: "medium",
    resourceType: "AwsS3Bucket",
    categories: ["encryption"],
    risk: "Objects written without an encryption header are stored in the clear, readable by anyone who gets at the underlying storage or a copy of it.",
    remediation: {
      cli: `aws s3api put-bucket-encryption --bucket <bucket> --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"},"BucketKeyEnabled":true}]}'`,
      console: "S3 > the bucket > Properties > Default encryption > Edit: choose SSE-KMS (or SSE-S3) and save.",
      url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": [],
      "nist-csf-2.0": ["PR.DS-01"],
      "iso-27001-2022": ["A.8.11", "A.8.24"],
    },
    evaluate: (inv) =>
      perBucket(inv, (bucket) => {
        const rule = bucket.ServerSideEncryptionConfiguration?.Rules.find((r) => r.ApplyServerSideEncryptionByDefault);
        const algorithm = rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
        return algorithm
          ? { status: "PASS", details: `Bucket ${bucket.Name} encrypts new objects with ${algorithm}.` }
          : { status: "FAIL", details: `Bucket ${bucket.Name} has no default encryption.` };
      }),
  },
  {
    id: "s3_bucket_object_versioning",
    title: "S3 bucket keeps object versions",
    service: "s3",
    severity: "medium",
    resourceType: "AwsS3Bucket",
    categories: ["resilience"],
    risk: "An overwrite or delete, by mistake or by ransomware, destroys the only copy of the object.",
    remediation: {
      cli: "aws s3api put-bucket-versioning --bucket <bucket> --versioning-configuration Status=Enabled",
      console: "S3 > the bucket > Properties > Bucket Versioning > Edit: Enable.",
      url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["S3.14"],
      "nist-csf-2.0": ["DE.CM-09", "ID.AM-07", "ID.AM-08", "RC.RP-02"],
      "iso-27001-2022": ["A.8.3", "A.8.10"],
    },
    evaluate: (inv) =>
      perBucket(inv, (bucket) =>
        bucket.Versioning.Status === "Enabled"
          ? { status: "PASS", details: `Bucket ${bucket.Name} has versioning enabled.` }
          : {
              status: "FAIL",
              details: `Bucket ${bucket.Name} has versioning ${bucket.Versioning.Status === "Suspended" ? "suspended" : "off"}.`,
            },
      ),
  },
  {
    id: "s3_bucket_no_mfa_delete",
    title: "S3 bucket requires MFA to delete versions",
    service: "s3",
    severity: "medium",
    resourceType: "AwsS3Bucket",
    categories: ["identity-access"],
    risk: "Stolen credentials alone are enough to erase object versions or switch versioning off, removing the recovery path.",
    remediation: {
      cli: "aws s3api put-bucket-versioning --bucket <bucket> --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa '<root-mfa-serial> <code>'",
      console: "MFA delete cannot be set in the console: the root user runs the CLI command with its MFA device.",
      url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["2.1.2"],
      "aws-fsbp": ["S3.20"],
      "nist-csf-2.0": [],
      "iso-27001-2022": [],
    },
    evaluate: (inv) =>
      perBucket(inv, (bucket) =>
        bucket.Versioning.MFADelete === "Enabled"
          ? { status: "PASS", details: `Bucket ${bucket.Name} requires MFA to delete versions.` }
          : { status: "FAIL", details: `Bucket ${bucket.Name} does not require MFA to delete versions.` },
      ),
  },
  {
    id: "s3_bucket_server_access_logging_enabled",
    title: "S3 bucket logs access requests",
    service: "s3",
    severity: "medium",
    resourceType: "AwsS3Bucket",
    categories: ["logging", "forensics-ready"],
    risk: "Without access logs there is no record of who read or changed which object, so a leak cannot be scoped.",
    remediation: {
      cli: `aws s3api put-bucket-logging --bucket <bucket> --bucket-logging-status '{"LoggingEnabled":{"TargetBucket":"<log-bucket>","TargetPrefix":"<bucket>/"}}'`,
      console: "S3 > the bucket > Properties > Server access logging > Edit: Enable, and choose a log bucket.",
      url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["S3.9"],
      "nist-csf-2.0": ["ID.AM-03", "PR.PS-04", "RS.AN-03", "RS.AN-06", "RS.AN-07"],
      "iso-27001-2022": ["A.8.15"],
    },
    evaluate: (inv) =>
      perBucket(inv, (bucket) =>
        bucket.Logging.LoggingEnabled
          ? {
              status: "PASS",
              details: `Bucket ${bucket.Name} logs to ${bucket.Logging.LoggingEnabled.TargetBucket}.`,
            }
          : { status: "FAIL", details: `Bucket ${bucket.Name} has server access logging off.` },
      ),
  },
  {
    id: "s3_bucket_secure_transport_policy",
    title: "S3 bucket policy refuses requests without TLS",
    service: "s3",
    severity: "medium",
    resourceType: "AwsS3Bucket",
    categories: ["encryption"],
    risk: "Requests over plain HTTP expose object data and request signatures to anyone on the network path.",
    remediation: {
      cli: `aws s3api put-bucket-policy --bucket <bucket> --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::<bucket>","arn:aws:s3:::<bucket>/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}'`,
      console:
        "S3 > the bucket > Permissions > Bucket policy: add a Deny statement for all principals and s3:* when aws:SecureTransport is false.",
      url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["2.1.1"],
      "aws-fsbp": ["S3.5"],
      "nist-csf-2.0": ["PR.DS-01"],
      "iso-27001-2022": [],
    },
    evaluate: (inv) =>
      perBucket(inv, (bucket) =>
        deniesInsecureTransport(bucket.Policy)
          ? { status: "PASS", details: `Bucket ${bucket.Name} denies requests made without TLS.` }
          : { status: "FAIL", details: `Bucket ${bucket.Name} accepts requests made without TLS.` },
      ),
  },
  {
    id: "s3_bucket_public_write_acl",
    title: "S3 bucket ACL does not let everyone write",
    service: "s3",
    severity: "critical",
    resourceType: "AwsS3Bucket",
    categories: ["internet-exposed"],
    risk: "Anyone can upload, overwrite or re-permission objects: malware hosting, defacement and data destruction.",
    remediation: {
      cli: "aws s3api put-bucket-acl --bucket <bucket> --acl private",
      console:
        "S3 > the bucket > Permissions > Access control list > Edit: remove every permission for Everyone and Authenticated users group.",
      url: BPA_URL,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["S3.3"],
      "nist-csf-2.0": [],
      "iso-27001-2022": [],
    },
    evaluate: (inv) =>
      perBucket(inv, (bucket) => {
        const writes = everyoneGrants(bucket).filter((g) => WRITE_PERMISSIONS.has(g.Permission));
        if (writes.length > 0 && !effectiveBlock(inv, bucket).ignoresAcls) {
          const perms = [...new Set(writes.map((g) => g.Permission))].join(", ");
          return { status: "FAIL", details: `Bucket ${bucket.Name} ACL grants ${perms} to everyone.` };
        }
        return { status: "PASS", details: `Bucket ${bucket.Name} ACL grants no write access to everyone.` };
      }),
  },
  {
    id: "s3_bucket_policy_public_write_access",
    title: "S3 bucket policy does not let everyone write",
    service: "s3",
    severity: "critical",
    resourceType: "AwsS3Bucket",
    categories: ["internet-exposed"],
    risk: "Anyone can put or delete objects, or rewrite the bucket's own policy.",
    remediation: {
      cli: "aws s3api delete-bucket-policy --bucket <bucket>   # or put a policy without public write statements",
      console:
        "S3 > the bucket > Permissions > Bucket policy: remove or narrow statements that allow Principal * to put, delete or re-permission.",
      url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["S3.3"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.1"],
    },
    evaluate: (inv) =>
      perBucket(inv, (bucket) => {
        const writing = publicAllowStatements(bucket.Policy).filter((s) =>
          WRITE_ACTIONS.some((a) => statementCovers(s, a)),
        );
        if (writing.length > 0 && !effectiveBlock(inv, bucket).restrictsPolicy) {
          return { status: "FAIL", details: `Bucket ${bucket.Name} policy lets everyone write or re-permission.` };
        }
        return { status: "PASS", details: `Bucket ${bucket.Name} policy gives everyone no write access.` };
      }),
  },
];
