/**
 * POST /reset — authentication, firewall and SSH back to their defaults, pushed to every gateway;
 * a backup first unless `backup_before_reset` is false; `preserve_*` keep users and API keys.
 */
import { resetSettings } from "#shared/backups/backups.ts";
import { ResetBody } from "#shared/backups/schemas.ts";
import { ResetResponse, resetView } from "#shared/backups/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/reset",
  { body: ResetBody, response: ResetResponse },
  async (req) => {
    const b = req.body;
    const result = await resetSettings(req.principal, {
      preserveUsers: b.preserve_users,
      preserveApiKeys: b.preserve_api_keys,
      preserveCertificates: b.preserve_certificates,
      backupBeforeReset: b.backup_before_reset,
    });
    req.audit({
      resource: "security/reset",
      details: {
        reason: b.reason ?? null,
        backup_id: result.backup?.backupId ?? null,
        components_reset: result.componentsReset,
        components_preserved: result.componentsPreserved,
        admin_password_reset: result.temporaryPassword !== undefined,
        api_keys_revoked: result.apiKeysRevoked,
      },
    });
    return resetView(result);
  },
);
