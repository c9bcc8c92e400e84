/**
 * First-run setup of local mode: tenant `default` with its admin user. Idempotent: an existing
 * tenant is left as it is (and its admin password is never printed again).
 */
import { generatePassword } from "#shared/auth/passwords.ts";
import { appendAudit } from "#shared/db/audit.ts";
import { keys } from "#shared/db/keys.ts";
import { getItem } from "#shared/db/repo.ts";
import { signup } from "#shared/domain/identity.ts";

export interface BootstrapResult {
  created: boolean;
  tenantId: string;
  username: string;
  /** Only when this run generated it: shown once, never stored in plaintext. */
  generatedPassword?: string;
}

export async function bootstrapDefaultTenant(opts: { username: string; password?: string }): Promise<BootstrapResult> {
  const tenantId = "default";
  if (await getItem(keys.tenant(tenantId), true)) return { created: false, tenantId, username: opts.username };
  const password = opts.password ?? generatePassword(24);
  const { events } = await signup({
    organization: tenantId,
    username: opts.username,
    email: `${opts.username}@warden.local`,
    password,
  });
  await appendAudit(
    tenantId,
    events.map((e) => ({
      ...e,
      user: e.username,
      resource: "local-bootstrap",
      details: { ...e.details, source: "npm start" },
    })),
  );
  return { created: true, tenantId, username: opts.username, generatedPassword: opts.password ? undefined : password };
}
