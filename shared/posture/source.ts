/**
 * Where a scan's inventory comes from, behind one port: the AWS APIs through the SDK v3 collectors
 * (adapters/aws.ts), given access keys or a role to assume; or local mode's recorded demo account
 * (`credentials: {"demo": true}`), sliced by the same service × region units. Everything after the
 * source — units, merge, checks, findings, alerts — is the same code for both.
 */

import { demoAccountFixed, loadDemoAccount } from "./demo-account.ts";
import { type InventoryInput, parseInventory } from "./inventory.ts";
import { GLOBAL_SERVICES, type ScanService } from "./providers.ts";

/** What one collector unit wrote: a slice of the inventory, and how many resources it holds. */
export interface InventoryPart {
  part: Partial<Omit<InventoryInput, "account">> & { account?: Partial<InventoryInput["account"]> };
  resources: number;
}

/**
 * How much a scan reads (`scan_config.deep_scan`). A quick scan makes the list and per-resource
 * configuration calls every headline check needs (each bucket's ACL, policy and public access
 * block, each user's keys and MFA, …); a deep scan adds the reads whose cost grows with the account
 * or that wait on AWS, listed in DEEP_ONLY. The checks those feed answer MANUAL ("not collected")
 * after a quick scan — never PASS on data that was not read.
 */
export type ScanDepth = "quick" | "deep";

export const DEEP_ONLY = {
  credential_report:
    "IAM credential report (GenerateCredentialReport, polled until ready): root sign-in and key use, per-user last use",
  snapshot_permissions: "EC2 DescribeSnapshotAttribute createVolumePermission, one call per snapshot",
} as const;

/** A unit's part as a quick scan has it: the deep-only details dropped (whatever the source). */
export function quickPart(got: InventoryPart): InventoryPart {
  const part = { ...got.part };
  if (part.account && "CredentialReport" in part.account) {
    const { CredentialReport: _deep, ...account } = part.account;
    part.account = account;
  }
  if (part.ec2?.Snapshots) {
    part.ec2 = {
      ...part.ec2,
      Snapshots: part.ec2.Snapshots.map((snapshot) => {
        const { CreateVolumePermissions: _deep, ...rest } = snapshot as Record<string, unknown>;
        return rest;
      }) as never,
    };
  }
  return { ...got, part };
}

export interface InventorySource {
  /** STS GetCallerIdentity (the demo: its recorded account): proves the credentials work. */
  identity(): Promise<{ accountId: string; arn: string }>;
  /** One unit; `depth` "quick" leaves out the DEEP_ONLY reads (default: deep). */
  collect(service: ScanService, region: string, depth?: ScanDepth): Promise<InventoryPart>;
  /** The inventory's "now": when collection ended (the demo: when it was recorded). */
  collectedAt(): string;
}

/** A service or region AWS refused to read (AccessDenied, opt-in region, unsupported): the unit is skipped. */
export class UnitRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnitRefused";
  }
}

/** AWS throttled the unit past the SDK's own retries: the state machine retries it with jitter. */
export class Throttled extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Throttled";
  }
}

/** The collector units of a scan: each global service once (home region), each regional one per region. */
export function scanUnits(services: readonly ScanService[], regions: readonly string[], home: string) {
  return services.flatMap((service) =>
    GLOBAL_SERVICES.has(service) ? [{ service, region: home }] : regions.map((region) => ({ service, region })),
  );
}

const inRegion = <T extends { region: string }>(list: readonly T[], region: string) =>
  list.filter((x) => x.region === region);

/** The recorded demo account (misconfigured, or as its owner fixed it), as a source. */
export function demoSource(variant: "misconfigured" | "fixed"): InventorySource {
  const inv = variant === "fixed" ? demoAccountFixed() : loadDemoAccount();
  return {
    identity: async () => ({
      accountId: inv.account.AccountId,
      arn: `arn:aws:iam::${inv.account.AccountId}:user/warden-demo-scanner`,
    }),
    collectedAt: () => inv.collectedAt,
    collect: async (service, region, depth = "deep") => {
      const got = await demoUnit(service, region);
      return depth === "quick" ? quickPart(got) : got;
    },
  };

  async function demoUnit(service: ScanService, region: string): Promise<InventoryPart> {
    const count = (...lists: readonly unknown[][]) => lists.reduce((n, l) => n + l.length, 0);
    switch (service) {
      case "iam": {
        const { CredentialReport, PasswordPolicy, AlternateContacts, AccountAlias } = inv.account;
        return {
          part: {
            iam: inv.iam as never,
            account: { CredentialReport, PasswordPolicy, AlternateContacts, AccountAlias },
          },
          resources:
            1 + count(inv.iam.UserDetailList, inv.iam.RoleDetailList, inv.iam.GroupDetailList, inv.iam.Policies),
        };
      }
      case "s3":
        return {
          part: {
            s3: { Buckets: inv.s3.Buckets as never },
            account: { PublicAccessBlockConfiguration: inv.account.PublicAccessBlockConfiguration },
          },
          resources: inv.s3.Buckets.length,
        };
      case "cloudtrail": {
        const Trails = inRegion(inv.cloudtrail.Trails, region);
        return { part: { cloudtrail: { Trails } }, resources: Trails.length };
      }
      case "config": {
        const ConfigurationRecorders = inRegion(inv.config.ConfigurationRecorders, region);
        const ConfigurationRecordersStatus = inRegion(inv.config.ConfigurationRecordersStatus, region);
        return {
          part: { config: { ConfigurationRecorders, ConfigurationRecordersStatus } },
          resources: ConfigurationRecorders.length,
        };
      }
      case "guardduty": {
        const Detectors = inRegion(inv.guardduty.Detectors, region);
        return { part: { guardduty: { Detectors } }, resources: Detectors.length };
      }
      case "ec2": {
        const e = inv.ec2;
        const part = {
          SecurityGroups: inRegion(e.SecurityGroups, region),
          Instances: inRegion(e.Instances, region),
          Volumes: inRegion(e.Volumes, region),
          Snapshots: inRegion(e.Snapshots, region),
          Images: inRegion(e.Images, region),
          EbsEncryptionByDefault: inRegion(e.EbsEncryptionByDefault, region),
        };
        return {
          part: { ec2: part },
          resources: count(part.SecurityGroups, part.Instances, part.Volumes, part.Snapshots, part.Images),
        };
      }
      case "vpc": {
        const Vpcs = inRegion(inv.ec2.Vpcs, region);
        return { part: { ec2: { Vpcs, FlowLogs: inRegion(inv.ec2.FlowLogs, region) } }, resources: Vpcs.length };
      }
      case "rds": {
        const DBInstances = inRegion(inv.rds.DBInstances, region);
        return { part: { rds: { DBInstances } }, resources: DBInstances.length };
      }
      case "kms": {
        const Keys = inRegion(inv.kms.Keys, region);
        return { part: { kms: { Keys: Keys as never } }, resources: Keys.length };
      }
      case "lambda": {
        const Functions = inRegion(inv.lambda.Functions, region);
        return { part: { lambda: { Functions: Functions as never } }, resources: Functions.length };
      }
    }
  }
}

type Bag = Record<string, unknown>;

/** Merges the units' parts into one inventory: lists concatenate, account fields combine. */
export function mergeParts(
  base: { accountId: string; collectedAt: string; regions: string[] },
  parts: readonly InventoryPart["part"][],
) {
  const inv: Bag = {
    schemaVersion: 1,
    collectedAt: base.collectedAt,
    regions: base.regions,
    account: { AccountId: base.accountId, PasswordPolicy: null, PublicAccessBlockConfiguration: null },
  };
  for (const part of parts) {
    for (const [section, value] of Object.entries(part)) {
      const into = (inv[section] ?? {}) as Bag;
      inv[section] = into;
      for (const [field, v] of Object.entries(value as Bag)) {
        if (Array.isArray(v) && field !== "Statement") into[field] = [...((into[field] as unknown[]) ?? []), ...v];
        else into[field] = v;
      }
    }
  }
  return parseInventory(inv);
}
