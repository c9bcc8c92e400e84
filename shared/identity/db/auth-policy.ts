/**
 * A tenant's authentication policy, stored as the overrides the tenant made on top of the defaults
 * (auth-policy.ts overlays them): one settings item `T#<tenant>` / `SETTINGS#authentication`
 * holding `policy`, versioned.
 *
 * Access patterns: read (GetItem, consistent before a change), save (PutItem when none is stored
 * yet, else versioned UpdateItem: a concurrent change is a 409).
 */
import { type Key, tenantPk } from "#shared/table/keys.ts";
import { batchGet, getItem, type Item, putNew, updateVersioned } from "#shared/table/repo.ts";
import { type TokenSettings, tokenSettings } from "./token-settings.ts";

export const authPolicyKey = (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: "SETTINGS#authentication" });

export async function getAuthPolicyItem(tenantId: string, consistent = false): Promise<Item | undefined> {
  return getItem(authPolicyKey(tenantId), consistent);
}

/**
 * What a sign-in reads of the tenant's settings — the auth policy item and the token settings — in
 * one consistent BatchGetItem instead of two reads.
 */
export async function getSignInSettingsItems(
  tenantId: string,
): Promise<{ policyItem: Item | undefined; tokens: TokenSettings }> {
  const [policyItem, tokensItem] = await batchGet([authPolicyKey(tenantId), tokenSettings.key(tenantId)], true);
  return { policyItem, tokens: tokenSettings.parse(tokensItem) };
}

/** Stores the overrides over the item read as `stored` (undefined: none stored yet). */
export async function saveAuthPolicyOverrides(
  tenantId: string,
  stored: Item | undefined,
  policy: Record<string, Record<string, unknown>>,
): Promise<void> {
  if (stored)
    await updateVersioned(authPolicyKey(tenantId), Number(stored.version), { policy }, "Authentication settings");
  else await putNew({ ...authPolicyKey(tenantId), type: "Settings", policy }, "Authentication settings");
}
