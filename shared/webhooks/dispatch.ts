/**
 * Audit records → the tenant's webhook: the records a tenant's webhook subscribes to are delivered
 * in order, signed with the current secret (and the previous one during its grace period). The
 * table stream's worker (functions/workers/webhook-dispatch.ts) calls this.
 */
import type { AuditRecord } from "#shared/audit/trail.ts";
import { decryptSecret } from "#shared/crypto/envelope.ts";
import { log } from "#shared/kit/log.ts";
import type { WebhookSettings } from "./db/webhook-settings.ts";
import { type DeliveryResult, deliverWebhook, type WebhookEventBody } from "./delivery.ts";
import type { DestinationOptions } from "./destination-guard.ts";
import { WEBHOOK_EVENTS } from "./events.ts";
import { getWebhook } from "./settings.ts";

/** The secrets that sign a tenant's deliveries now: current, plus the previous during its grace period. */
async function signingSecrets(tenantId: string, s: WebhookSettings, now: number): Promise<string[]> {
  if (!s.secret) return [];
  const out = [await decryptSecret(tenantId, s.secret)];
  if (s.previousSecret && s.previousValidUntil && new Date(s.previousValidUntil).getTime() > now) {
    out.push(await decryptSecret(tenantId, s.previousSecret));
  }
  return out;
}

export function auditEventBody(record: AuditRecord): WebhookEventBody {
  return {
    id: `evt_${record.id}_${record.hash.slice(0, 12)}`,
    type: record.event_type,
    created: record.timestamp,
    data: {
      audit_id: record.id,
      event: record.event,
      user: record.user,
      user_id: record.user_id,
      resource: record.resource,
      ip_address: record.ip_address,
      status: record.status,
      severity: record.severity,
      details: record.details,
    },
  };
}

export interface DispatchOutcome {
  tenantId: string;
  auditId: string;
  type: string;
  result: DeliveryResult;
}

/**
 * Delivers the audit records a tenant's webhook subscribes to (event types in WEBHOOK_EVENTS that
 * the tenant selected), in order, one tenant's settings read once per batch.
 */
export async function dispatchWebhooksForAuditRecords(
  records: { tenantId: string; record: AuditRecord }[],
  opts: DestinationOptions & { backoffMs?: number },
): Promise<DispatchOutcome[]> {
  const byTenant = new Map<string, AuditRecord[]>();
  for (const { tenantId, record } of records) {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(record.event_type)) continue;
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), record]);
  }
  const outcomes: DispatchOutcome[] = [];
  for (const [tenantId, tenantRecords] of byTenant) {
    const settings = await getWebhook(tenantId);
    if (!settings.enabled || !settings.url || !settings.secret) continue;
    const wanted = tenantRecords.filter((r) => settings.events.includes(r.event_type));
    if (wanted.length === 0) continue;
    const secrets = await signingSecrets(tenantId, settings, Date.now());
    for (const record of wanted) {
      const result = await deliverWebhook(
        { url: settings.url, secrets, retryCount: settings.retryCount, timeoutSeconds: settings.timeoutSeconds },
        auditEventBody(record),
        opts,
      );
      if (!result.delivered) {
        log.warn("webhook delivery failed", {
          tenantId,
          auditId: record.id,
          attempts: result.attempts,
          error: result.error,
        });
      }
      outcomes.push({ tenantId, auditId: record.id, type: record.event_type, result });
    }
  }
  return outcomes;
}
