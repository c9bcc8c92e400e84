/**
 * Reset Security Settings: authentication, firewall and SSH go back to their defaults (the same
 * defaults a new tenant starts with), each through its area's own functions, and the firewall
 * and SSH documents are pushed to every gateway (the tenant-wide document and every gateway's
 * overrides are replaced by the empty document, whose settings are the defaults).
 *
 * What the `preserve_*` flags reset when false:
 *   - users: the calling administrator's password is replaced by a one-time generated password
 *     (answered once as `default_admin_password`, to be changed at the next sign-in; their
 *     sign-ins are ended). Other accounts are not touched;
 *   - api_keys: every active API key is revoked (holders are not notified one by one; the audit
 *     record of the reset names the count);
 *   - certificates: nothing is ever reset — deleting a gateway's certificates would cut its TLS
 *     and MQTT; they are always reported as preserved, and a note says so when reset was asked.
 * `backup_before_reset` (default true) makes a real backup of every component first (encrypted
 * under a fresh data key) and names it; the reset does not start if the backup fails.
 */
import { emptyFirewallScope, firewallDocuments, replaceFirewallScope } from "#shared/fleet/firewall.ts";
import { emptySshScope, replaceSshScope, sshDocuments } from "#shared/fleet/ssh.ts";
import { listApiKeys, revokeApiKey } from "#shared/identity/api-keys.ts";
import { DEFAULT_AUTH_POLICY, updateAuthSettings } from "#shared/identity/auth-policy.ts";
import type { Principal } from "#shared/identity/principal.ts";
import { resetPassword } from "#shared/identity/users.ts";

export interface ResetInput {
  preserveUsers: boolean;
  preserveApiKeys: boolean;
  preserveCertificates: boolean;
}

export interface ResetOutcome {
  componentsReset: string[];
  componentsPreserved: string[];
  restartRequired: boolean;
  /** Set only when the administrator's password was reset: shown once, never stored. */
  temporaryPassword?: string;
  apiKeysRevoked: number;
  notes: string[];
}

export async function resetSecurity(caller: Principal, input: ResetInput): Promise<ResetOutcome> {
  const tenantId = caller.tenantId;
  const by = caller.username;
  const notes: string[] = [];

  await updateAuthSettings(tenantId, DEFAULT_AUTH_POLICY);

  // Every scope is written (no short-circuit): the tenant-wide document, then each override.
  const fw = await firewallDocuments(tenantId);
  const emptyFirewall = emptyFirewallScope();
  await replaceFirewallScope({ tenantId, by }, emptyFirewall);
  for (const gatewayId of fw.gateways.keys()) await replaceFirewallScope({ tenantId, by, gatewayId }, emptyFirewall);
  const ssh = await sshDocuments(tenantId);
  const emptySsh = emptySshScope();
  await replaceSshScope({ tenantId, by }, emptySsh);
  for (const gatewayId of ssh.gateways.keys()) await replaceSshScope({ tenantId, by, gatewayId }, emptySsh);
  // sshd and the firewall's base tables are rebuilt from the defaults on every gateway.
  const restartRequired = true;

  const reset = ["authentication", "firewall", "ssh"];
  const preserved: string[] = [];

  let temporaryPassword: string | undefined;
  if (input.preserveUsers) preserved.push("users");
  else {
    const r = await resetPassword(caller, { userId: caller.userId, forceChange: true });
    temporaryPassword = r.temporaryPassword;
    reset.push("users");
  }

  let apiKeysRevoked = 0;
  if (input.preserveApiKeys) preserved.push("api_keys");
  else {
    for (const key of await listApiKeys(tenantId)) {
      if (key.status !== "active") continue;
      await revokeApiKey(caller, { keyId: key.id, reason: "security settings reset" });
      apiKeysRevoked += 1;
    }
    reset.push("api_keys");
  }

  preserved.push("certificates");
  if (!input.preserveCertificates) {
    notes.push("certificates are never reset: removing them would cut the gateways' TLS and MQTT connections");
  }

  return {
    componentsReset: reset,
    componentsPreserved: preserved,
    restartRequired,
    ...(temporaryPassword ? { temporaryPassword } : {}),
    apiKeysRevoked,
    notes,
  };
}
