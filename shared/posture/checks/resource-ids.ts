/**
 * Resource ids for what AWS gives no id of its own. A finding's key is (account, check, resource id),
 * so a setting judged per region must carry its region in the id: the same id before and after a fix
 * is what lets a re-scan update a finding instead of opening a second one.
 */
import type { Inventory } from "../inventory.ts";

/** The account's setting in one region (its Config recorder, GuardDuty, EBS default encryption…). */
export function accountRegionId(inv: Inventory, region: string): string {
  return `${inv.account.AccountId}/${region}`;
}

export function accountArn(inv: Inventory): string {
  return `arn:${inv.partition}:iam::${inv.account.AccountId}:root`;
}

export function bucketArn(inv: Inventory, bucketName: string): string {
  return `arn:${inv.partition}:s3:::${bucketName}`;
}
