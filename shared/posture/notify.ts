/**
 * The scan's outgoing webhooks (`scan.completed`, `alert.created`, `alert.resolved`), with the
 * spec's payload `{event, timestamp, data}`, sent through the tenant's webhook settings and the
 * platform's signed, retried, SSRF-guarded delivery (shared/webhooks/delivery.ts). Sent directly by
 * the scan's Notify step rather than through audit records: the payload is the spec's, not an
 * audit record's, and a scan's events are the system's doing, not a user's.
 */
import { createHash } from "node:crypto";
import { decryptSecret } from "#shared/crypto/envelope.ts";
import { config } from "#shared/kit/config.ts";
import { log } from "#shared/kit/log.ts";
import { deliverWebhook } from "#shared/webhooks/delivery.ts";
import { getWebhook } from "#shared/webhooks/settings.ts";

export interface ScanEvent {
  event: "scan.completed" | "alert.created" | "alert.resolved";
  data: Record<string, unknown>;
  /** Stable per (scan, event, subject): receivers deduplicate retries on `X-Webhook-Id`. */
  dedupe: string;
}

/** Delivers the events the tenant's webhook subscribes to; answers how many were delivered. */
export async function sendScanEvents(
  tenantId: string,
  events: readonly ScanEvent[],
  opts: { backoffMs?: number } = {},
): Promise<{ delivered: number; failed: number }> {
  const settings = await getWebhook(tenantId);
  if (!settings.enabled || !settings.url || !settings.secret) return { delivered: 0, failed: 0 };
  const wanted = events.filter((e) => settings.events.includes(e.event));
  if (wanted.length === 0) return { delivered: 0, failed: 0 };
  const secrets = [await decryptSecret(tenantId, settings.secret)];
  if (settings.previousSecret && settings.previousValidUntil && Date.parse(settings.previousValidUntil) > Date.now()) {
    secrets.push(await decryptSecret(tenantId, settings.previousSecret));
  }
  let delivered = 0;
  let failed = 0;
  for (const e of wanted) {
    const timestamp = new Date().toISOString();
    const id = `evt_${createHash("sha256").update(`${tenantId}|${e.dedupe}`).digest("hex").slice(0, 24)}`;
    // The spec's payload (event, timestamp, data), with the platform's envelope fields (id, type,
    // created) that every Warden webhook carries.
    const body = { event: e.event, timestamp, data: e.data, id, type: e.event, created: timestamp };
    const result = await deliverWebhook(
      { url: settings.url, secrets, retryCount: settings.retryCount, timeoutSeconds: settings.timeoutSeconds },
      body,
      { allowPrivate: config.WARDEN_WEBHOOK_ALLOW_PRIVATE, backoffMs: opts.backoffMs },
    );
    if (result.delivered) delivered++;
    else {
      failed++;
      log.warn("scan webhook delivery failed", {
        tenantId,
        event: e.event,
        attempts: result.attempts,
        error: result.error,
      });
    }
  }
  return { delivered, failed };
}
