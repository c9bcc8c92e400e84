/** RDS: database instances kept off the internet, encrypted, backed up and patched. */
import type { Inventory } from "../inventory.ts";
import type { CheckDefinition, Result } from "./types.ts";

type DbInstance = Inventory["rds"]["DBInstances"][number];

function perInstance(inv: Inventory, judge: (db: DbInstance) => Pick<Result, "status" | "details">): Result[] {
  return inv.rds.DBInstances.map((db) => ({
    ...judge(db),
    resourceId: db.DBInstanceArn,
    resourceArn: db.DBInstanceArn,
    region: db.region,
  }));
}

export const rdsChecks: CheckDefinition[] = [
  {
    id: "rds_instance_no_public_access",
    title: "RDS instance is not publicly accessible",
    service: "rds",
    severity: "critical",
    resourceType: "AwsRdsDbInstance",
    categories: ["internet-exposed"],
    risk: "A publicly accessible database resolves to a public address; one permissive security group rule away from credential stuffing and data theft.",
    remediation: {
      cli: "aws rds modify-db-instance --db-instance-identifier <db> --no-publicly-accessible --apply-immediately",
      console:
        "RDS > Databases > the instance > Modify > Connectivity > Additional configuration: Not publicly accessible.",
      url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["2.3.3"],
      "aws-fsbp": ["RDS.2"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.8.1"],
    },
    evaluate: (inv) =>
      perInstance(inv, (db) =>
        db.PubliclyAccessible
          ? { status: "FAIL", details: `Instance ${db.DBInstanceIdentifier} is publicly accessible.` }
          : { status: "PASS", details: `Instance ${db.DBInstanceIdentifier} is not publicly accessible.` },
      ),
  },
  {
    id: "rds_instance_storage_encrypted",
    title: "RDS instance storage is encrypted",
    service: "rds",
    severity: "high",
    resourceType: "AwsRdsDbInstance",
    categories: ["encryption"],
    risk: "Unencrypted storage, and its snapshots and replicas, expose the database to anyone who obtains a copy.",
    remediation: {
      cli: "aws rds create-db-snapshot --db-instance-identifier <db> --db-snapshot-identifier <snap> && aws rds copy-db-snapshot --source-db-snapshot-identifier <snap> --target-db-snapshot-identifier <snap>-enc --kms-key-id <key>   # restore from the encrypted copy",
      console:
        "RDS > Snapshots: snapshot the instance, copy it with encryption, restore a new instance from the copy and switch over.",
      url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["2.3.1"],
      "aws-fsbp": ["RDS.3"],
      "nist-csf-2.0": ["PR.DS-01"],
      "iso-27001-2022": ["A.8.11", "A.8.24"],
    },
    evaluate: (inv) =>
      perInstance(inv, (db) =>
        db.StorageEncrypted
          ? { status: "PASS", details: `Instance ${db.DBInstanceIdentifier} has encrypted storage.` }
          : { status: "FAIL", details: `Instance ${db.DBInstanceIdentifier} storage is not encrypted.` },
      ),
  },
  {
    id: "rds_instance_backup_enabled",
    title: "RDS instance has automated backups",
    service: "rds",
    severity: "medium",
    resourceType: "AwsRdsDbInstance",
    categories: ["resilience"],
    risk: "With a backup retention of zero there is no point-in-time recovery: a bad migration or ransomware means the data is gone.",
    remediation: {
      cli: "aws rds modify-db-instance --db-instance-identifier <db> --backup-retention-period 7 --apply-immediately",
      console: "RDS > Databases > the instance > Modify > Backup: set a retention period of at least 7 days.",
      url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["RDS.11"],
      "nist-csf-2.0": ["DE.CM-09", "ID.AM-07", "ID.AM-08", "RC.RP-02", "RC.RP-04", "RC.RP-05"],
      "iso-27001-2022": [],
    },
    evaluate: (inv) =>
      perInstance(inv, (db) =>
        db.BackupRetentionPeriod > 0
          ? {
              status: "PASS",
              details: `Instance ${db.DBInstanceIdentifier} keeps backups for ${db.BackupRetentionPeriod} day(s).`,
            }
          : { status: "FAIL", details: `Instance ${db.DBInstanceIdentifier} has automated backups off.` },
      ),
  },
  {
    id: "rds_instance_deletion_protection",
    title: "RDS instance has deletion protection",
    service: "rds",
    severity: "medium",
    resourceType: "AwsRdsDbInstance",
    categories: ["resilience"],
    risk: "One mistaken or malicious API call deletes the database.",
    remediation: {
      cli: "aws rds modify-db-instance --db-instance-identifier <db> --deletion-protection --apply-immediately",
      console: "RDS > Databases > the instance > Modify: tick Enable deletion protection.",
      url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["RDS.8"],
      "nist-csf-2.0": ["RC.RP-02", "RC.RP-04"],
      "iso-27001-2022": [],
    },
    evaluate: (inv) =>
      perInstance(inv, (db) =>
        db.DeletionProtection
          ? { status: "PASS", details: `Instance ${db.DBInstanceIdentifier} has deletion protection.` }
          : {
              status: "FAIL",
              details: `Instance ${db.DBInstanceIdentifier} can be deleted without first lifting protection.`,
            },
      ),
  },
  {
    id: "rds_instance_minor_version_upgrade_enabled",
    title: "RDS instance takes minor version upgrades automatically",
    service: "rds",
    severity: "medium",
    resourceType: "AwsRdsDbInstance",
    categories: ["vulnerabilities"],
    risk: "Security fixes in minor engine releases are not applied until someone remembers to.",
    remediation: {
      cli: "aws rds modify-db-instance --db-instance-identifier <db> --auto-minor-version-upgrade --apply-immediately",
      console: "RDS > Databases > the instance > Modify > Maintenance: tick Enable auto minor version upgrade.",
      url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["2.3.2"],
      "aws-fsbp": ["RDS.13"],
      "nist-csf-2.0": [],
      "iso-27001-2022": [],
    },
    evaluate: (inv) =>
      perInstance(inv, (db) =>
        db.AutoMinorVersionUpgrade
          ? { status: "PASS", details: `Instance ${db.DBInstanceIdentifier} upgrades minor versions automatically.` }
          : {
              status: "FAIL",
              details: `Instance ${db.DBInstanceIdentifier} does not upgrade minor versions automatically.`,
            },
      ),
  },
];
