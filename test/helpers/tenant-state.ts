/**
 * A tenant's security configuration as its areas store it, read through the areas' own functions
 * (not the routes: comparisons would otherwise spend the tenant's rate limit), with what changes on
 * every write or read left out. Backup, reset and restore tests compare it before and after: a
 * refused or rolled-back restore must leave it equal. Password hashes are in: a restore must not
 * touch them.
 *
 * Import it after the platform's environment is set (the areas read their configuration at import).
 */

/** Keys that change with every write or read (versions, counters, sync receipts, timestamps of use). */
const VOLATILE = new Set([
  "config_version",
  "stats",
  "sync",
  "sync_status",
  "last_used",
  "usage_count",
  "last_login",
  "updated",
]);

/** `value` without the volatile keys, at any depth. */
export function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, v]) => [k, stable(v)]),
    );
  }
  return value;
}

export async function tenantState(tenantId: string): Promise<Record<string, unknown>> {
  const { getAuthPolicy } = await import("#shared/identity/auth-policy.ts");
  const { firewallDocuments } = await import("#shared/fleet/firewall.ts");
  const { sshDocuments } = await import("#shared/fleet/ssh.ts");
  const { listRoles } = await import("#shared/identity/roles.ts");
  const { listUserSummaries } = await import("#shared/identity/users.ts");
  const { apiKeyRecords } = await import("#shared/identity/api-keys.ts");
  const { chosenTokenTtl } = await import("#shared/identity/token-settings.ts");
  const { getAuditSettings } = await import("#shared/audit/retention.ts");
  const fw = await firewallDocuments(tenantId);
  const ssh = await sshDocuments(tenantId);
  return stable({
    authentication: await getAuthPolicy(tenantId, true),
    firewall: { tenant: fw.tenant, gateways: Object.fromEntries(fw.gateways) },
    ssh: { tenant: ssh.tenant, gateways: Object.fromEntries(ssh.gateways) },
    roles: (await listRoles(tenantId)).roles,
    users: (await listUserSummaries(tenantId, { limit: 1000 })).users.map(({ user: u }) => ({
      id: u.id,
      username: u.username,
      email: u.email,
      fullName: u.fullName,
      role: u.role,
      permissions: u.permissions,
      status: u.status,
      passwordHash: u.passwordHash,
      twoFactorEnabled: u.twoFactorEnabled,
    })),
    apiKeys: await apiKeyRecords(tenantId),
    tokenTtl: await chosenTokenTtl(tenantId),
    auditRetention: (await getAuditSettings(tenantId)).retentionDays,
  }) as Record<string, unknown>;
}
