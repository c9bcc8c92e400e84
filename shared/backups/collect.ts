/**
 * What a backup holds, per component, read from the tenant's state through each area's own
 * functions. Secrets stay out: users carry no password hash, second factor or backup codes; API
 * keys carry their HMAC hash, never a key; certificates their public PEMs only.
 */
import { createHash } from "node:crypto";
import { exportAudit } from "#shared/audit/export.ts";
import { getAuditSettings } from "#shared/audit/retention.ts";
import { reportedCertificates } from "#shared/certificates/certificates.ts";
import { firewallDocuments } from "#shared/fleet/firewall.ts";
import { listFleet } from "#shared/fleet/gateways.ts";
import { sshDocuments } from "#shared/fleet/ssh.ts";
import { apiKeyRecords } from "#shared/identity/api-keys.ts";
import { getAuthPolicy } from "#shared/identity/auth-policy.ts";
import { customRoleRecords } from "#shared/identity/roles.ts";
import { chosenTokenTtl } from "#shared/identity/token-settings.ts";
import { listUserSummaries } from "#shared/identity/users.ts";
import type { ArchiveFile } from "./archive.ts";
import { type Component, FILES } from "./components.ts";

const json = (name: string, value: unknown): ArchiveFile => ({
  name,
  body: Buffer.from(`${JSON.stringify(value, null, 2)}\n`, "utf8"),
});

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

async function collectOne(tenantId: string, c: Component, now: Date): Promise<ArchiveFile[]> {
  switch (c) {
    case "users": {
      const { users } = await listUserSummaries(tenantId, { limit: 100_000 });
      return [
        json(
          FILES.users,
          users.map(({ user: u }) => ({
            id: u.id,
            username: u.username,
            email: u.email,
            full_name: u.fullName,
            role: u.role,
            permissions: u.permissions,
            status: u.status === "inactive" ? "inactive" : "active",
            two_factor_enabled: u.twoFactorEnabled,
            created_at: u.createdAt,
          })),
        ),
      ];
    }
    case "roles":
      return [json(FILES.roles, await customRoleRecords(tenantId))];
    case "api_keys":
      return [json(FILES.api_keys, await apiKeyRecords(tenantId))];
    case "firewall_rules": {
      const docs = await firewallDocuments(tenantId);
      return [json(FILES.firewall_rules, { tenant: docs.tenant, gateways: Object.fromEntries(docs.gateways) })];
    }
    case "ssh": {
      const docs = await sshDocuments(tenantId);
      const line = (k: { algorithm: string; blob: string; username: string; comment: string }) =>
        `${k.algorithm} ${k.blob} ${k.username}${k.comment ? ` ${k.comment}` : ""}`;
      return [
        json("ssh_keys/ssh.json", { tenant: docs.tenant, gateways: Object.fromEntries(docs.gateways) }),
        {
          name: "ssh_keys/authorized_keys",
          body: Buffer.from(docs.tenant.keys.map((k) => `${line(k)}\n`).join(""), "utf8"),
        },
      ];
    }
    case "certificates": {
      const files: ArchiveFile[] = [];
      for (const { gateway } of await listFleet(tenantId)) {
        for (const cert of await reportedCertificates(tenantId, gateway.id)) {
          files.push({
            name: `certificates/gateway-${gateway.id}/${cert.name}.pem`,
            body: Buffer.from(cert.pem, "utf8"),
          });
        }
      }
      return files.length > 0 ? files : [json("certificates/index.json", [])];
    }
    case "audit_logs": {
      const { retentionDays } = await getAuditSettings(tenantId);
      const days = Math.min(retentionDays, 366);
      const file = await exportAudit(tenantId, {
        format: "csv",
        startDate: isoDay(new Date(now.getTime() - (days - 1) * DAY_MS)),
        endDate: isoDay(now),
      });
      return [
        { name: FILES.audit_logs, body: Buffer.isBuffer(file.body) ? file.body : Buffer.from(file.body, "utf8") },
      ];
    }
    case "authentication":
      return [json(FILES.authentication, await getAuthPolicy(tenantId, true))];
    case "settings": {
      const [audit, ttl] = await Promise.all([getAuditSettings(tenantId), chosenTokenTtl(tenantId)]);
      return [
        json(FILES.settings, {
          audit: { retention_days: audit.retentionDays },
          tokens: { access_token_ttl_seconds: ttl },
        }),
      ];
    }
  }
}

export interface Manifest {
  format: "warden-backup";
  version: 1;
  backup_id: string;
  tenant_id: string;
  created: string;
  created_by: string;
  components: Component[];
  files: { name: string; size: number; sha256: string }[];
}

export const MANIFEST = "manifest.json";

/** The archive's files for `components`, with a manifest of each file's size and SHA-256 first. */
export async function collect(
  tenantId: string,
  components: readonly Component[],
  meta: { backupId: string; by: string; now: Date },
): Promise<{ files: ArchiveFile[]; manifest: Manifest }> {
  const files = (await Promise.all(components.map((c) => collectOne(tenantId, c, meta.now)))).flat();
  const manifest: Manifest = {
    format: "warden-backup",
    version: 1,
    backup_id: meta.backupId,
    tenant_id: tenantId,
    created: meta.now.toISOString(),
    created_by: meta.by,
    components: [...components],
    files: files.map((f) => ({
      name: f.name,
      size: f.body.length,
      sha256: createHash("sha256").update(f.body).digest("hex"),
    })),
  };
  return { files: [json(MANIFEST, manifest), ...files], manifest };
}
