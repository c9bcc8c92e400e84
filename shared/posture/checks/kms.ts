/** KMS: customer keys rotated, not about to be deleted, and not usable by everyone. */
import type { Inventory } from "../inventory.ts";
import { publicAllowStatements } from "./policy.ts";
import type { CheckDefinition, Result } from "./types.ts";

type KmsKey = Inventory["kms"]["Keys"][number];

const isCustomerKey = (k: KmsKey) => k.KeyManager === "CUSTOMER";

function result(key: KmsKey, status: Result["status"], details: string): Result {
  return { status, resourceId: key.KeyId, resourceArn: key.Arn, region: key.region, details };
}

export const kmsChecks: CheckDefinition[] = [
  {
    id: "kms_cmk_rotation_enabled",
    title: "Customer managed symmetric KMS key rotates automatically",
    service: "kms",
    severity: "high",
    resourceType: "AwsKmsKey",
    categories: ["encryption"],
    risk: "Key material that never changes protects ever more data, so a single exposure of it reaches further back.",
    remediation: {
      cli: "aws kms enable-key-rotation --key-id <key>",
      console: "KMS > Customer managed keys > the key > Key rotation: tick Automatically rotate this KMS key.",
      url: "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["3.6"],
      "aws-fsbp": ["KMS.4"],
      "nist-csf-2.0": ["ID.RA-05", "PR.AA-04", "PR.DS-01"],
      "iso-27001-2022": ["A.8.5", "A.8.11", "A.8.24"],
    },
    evaluate: (inv) =>
      // Only enabled symmetric customer keys can rotate automatically; AWS rotates its own keys.
      inv.kms.Keys.filter((k) => isCustomerKey(k) && k.KeyState === "Enabled" && k.KeySpec === "SYMMETRIC_DEFAULT").map(
        (k) => {
          if (k.KeyRotationEnabled === undefined)
            return result(k, "MANUAL", `Rotation status of ${k.KeyId} was not collected.`);
          return k.KeyRotationEnabled
            ? result(k, "PASS", `Key ${k.KeyId} rotates automatically.`)
            : result(k, "FAIL", `Key ${k.KeyId} does not rotate.`);
        },
      ),
  },
  {
    id: "kms_cmk_not_deleted_unintentionally",
    title: "No customer managed KMS key is scheduled for deletion",
    service: "kms",
    severity: "critical",
    resourceType: "AwsKmsKey",
    categories: ["encryption", "resilience"],
    risk: "Once the waiting period ends the key is gone, and so is every piece of data encrypted under it.",
    remediation: {
      cli: "aws kms cancel-key-deletion --key-id <key> && aws kms enable-key --key-id <key>",
      console: "KMS > Customer managed keys > the key > Key actions > Cancel key deletion, then Enable.",
      url: "https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-scheduling-key-deletion.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["KMS.3"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.11", "A.8.24"],
    },
    evaluate: (inv) =>
      inv.kms.Keys.filter(isCustomerKey).map((k) =>
        k.KeyState === "PendingDeletion"
          ? result(
              k,
              "FAIL",
              `Key ${k.KeyId} is scheduled for deletion${k.DeletionDate ? ` on ${k.DeletionDate}` : ""}.`,
            )
          : result(k, "PASS", `Key ${k.KeyId} is not scheduled for deletion.`),
      ),
  },
  {
    id: "kms_key_not_publicly_accessible",
    title: "KMS key policy does not let everyone use the key",
    service: "kms",
    severity: "critical",
    resourceType: "AwsKmsKey",
    categories: ["internet-exposed", "identity-access"],
    risk: "Any AWS account can decrypt with, or re-permission, a key whose policy allows everyone.",
    remediation: {
      cli: 'aws kms put-key-policy --key-id <key> --policy-name default --policy file://key-policy.json   # without Principal "*" statements, or with aws:PrincipalOrgID / kms:CallerAccount conditions',
      console:
        "KMS > Customer managed keys > the key > Key policy > Edit: remove or condition the statements for Principal *.",
      url: "https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["KMS.5"],
      "nist-csf-2.0": ["PR.AA-04", "PR.DS-01"],
      "iso-27001-2022": ["A.8.1"],
    },
    evaluate: (inv) =>
      inv.kms.Keys.filter(isCustomerKey).map((k) => {
        if (!k.Policy) return result(k, "MANUAL", `The key policy of ${k.KeyId} was not collected.`);
        return publicAllowStatements(k.Policy).length > 0
          ? result(k, "FAIL", `Key ${k.KeyId} policy allows everyone.`)
          : result(k, "PASS", `Key ${k.KeyId} policy allows no one outside named principals.`);
      }),
  },
];
