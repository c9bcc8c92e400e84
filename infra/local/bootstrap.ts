/**
 * First-run setup of local mode: tenant `default` with its admin user, on the plan named by
 * `WARDEN_DEFAULT_PLAN` (default `enterprise`: an operator's own tenant is not limited;
 * `WARDEN_DEFAULT_PLAN=free` makes it a free tenant for trying the limits). Idempotent: an existing
 * tenant is left as it is (and its admin password is never printed again), except that an
 * explicitly set `WARDEN_DEFAULT_PLAN` is applied to it on every start.
 */

import { appendAudit } from "#shared/audit/trail.ts";
import { generatePassword } from "#shared/auth/passwords.ts";
import { billingSettings } from "#shared/billing/settings.ts";
import { savePolicyPatch } from "#shared/identity/auth-policy.ts";
import { signUp } from "#shared/identity/sign-up.ts";
import { getItem } from "#shared/table/repo.ts";
import { setTenantPlan, tenantKey } from "#shared/tenancy/tenants.ts";

export interface BootstrapResult {
  created: boolean;
  tenantId: string;
  username: string;
  /** Only when this run generated it: shown once, never stored in plaintext. */
  generatedPassword?: string;
}

export async function bootstrapDefaultTenant(opts: { username: string; password?: string }): Promise<BootstrapResult> {
  const tenantId = "default";
  const plan = billingSettings().WARDEN_DEFAULT_PLAN;
  if (await getItem(tenantKey(tenantId), true)) {
    if (process.env.WARDEN_DEFAULT_PLAN) await setTenantPlan(tenantId, plan);
    return { created: false, tenantId, username: opts.username };
  }
  const password = opts.password ?? generatePassword(24);
  const { events } = await signUp(
    {
      organization: tenantId,
      username: opts.username,
      email: `${opts.username}@warden.local`,
      password,
    },
    undefined,
    // The operator's own tenant: created even when the deployment reserves its id for platform scans.
    { byOperator: true },
  );
  await setTenantPlan(tenantId, plan);
  // A laptop has no authenticator enrolled yet: local mode's own tenant does not force 2FA on its
  // admin (the spec's default enforces it for the admin role; every signed-up tenant keeps that).
  const { changes } = await savePolicyPatch(tenantId, { two_factor: { enforced_for_roles: [] } }, new Set(["admin"]));
  await appendAudit(tenantId, [
    ...events.map((e) => ({
      ...e,
      user: e.username,
      resource: "local-bootstrap",
      details: { ...e.details, source: "npm start" },
    })),
    {
      event: "Authentication Settings Updated",
      eventType: "auth_settings_updated",
      resource: "local-bootstrap",
      status: "success" as const,
      user: opts.username,
      userId: 1,
      details: { changes, reason: "local mode: no second factor is enrolled on this machine yet" },
    },
  ]);
  return { created: true, tenantId, username: opts.username, generatedPassword: opts.password ? undefined : password };
}
