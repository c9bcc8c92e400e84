/**
 * The daily auto-renew job (EventBridge Scheduler at 02:00 UTC in AWS, a timer locally): for every
 * gateway with `auto_renew` on, each certificate it reports inside the renewal window gets a
 * renewal (the same start as POST /certificates/renew without force, so one already running is
 * not doubled); with `notify_before_expiry`, a notice goes to the ACME e-mail on each of the
 * `notify_days_before` days, once per certificate and day.
 */
import { X509Certificate } from "node:crypto";
import { AppError } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { notifier } from "#shared/tenancy/notifier.ts";
import { autoRenewGateways, getInventory, saveCertificateSettings } from "./db/certificates.ts";
import { startRenewal } from "./renewal.ts";
import { certificateSettings } from "./settings.ts";
import { certificateInfo, daysRemaining, pemCertificates } from "./x509.ts";

export interface AutoRenewSummary {
  gateways: number;
  started: string[];
  notices: number;
  failed: { tenantId: string; gatewayId: number; error: string }[];
}

export async function runAutoRenew(now = new Date()): Promise<AutoRenewSummary> {
  const out: AutoRenewSummary = { gateways: 0, started: [], notices: 0, failed: [] };
  for await (const { tenantId, gatewayId } of autoRenewGateways()) {
    out.gateways += 1;
    try {
      await renewGateway(tenantId, gatewayId, now, out);
    } catch (e) {
      // One tenant's trouble (a deleted gateway, a busy CA) never stops the others' renewals.
      out.failed.push({ tenantId, gatewayId, error: (e as Error).message });
      log.warn("auto-renew: gateway skipped", { tenantId, gatewayId, error: (e as Error).message });
    }
  }
  return out;
}

async function renewGateway(tenantId: string, gatewayId: number, now: Date, out: AutoRenewSummary) {
  const [settings, inventory] = await Promise.all([
    certificateSettings(tenantId, gatewayId),
    getInventory(tenantId, gatewayId),
  ]);
  if (!settings.autoRenew) return;
  const sent = new Set(settings.noticesSent);
  for (const reported of inventory?.certificates ?? []) {
    const leaf = pemCertificates(reported.certificate, "certificate")[0];
    if (!leaf) continue;
    const info = certificateInfo(new X509Certificate(leaf));
    const days = daysRemaining(info.validTo, now);
    if (settings.notifyBeforeExpiry && settings.acmeEmail && settings.notifyDaysBefore.includes(days)) {
      const mark = `${reported.slot}:${info.fingerprint}:${days}`;
      if (!sent.has(mark)) {
        const delivered = await notifier.send({
          tenantId,
          channel: "email",
          to: settings.acmeEmail,
          kind: "certificate_expiring",
          subject: `Gateway ${gatewayId}: ${reported.slot} certificate expires in ${days} days`,
          body: `The ${reported.slot} certificate of gateway ${gatewayId} (${info.subject}) expires at ${info.validTo}.`,
        });
        if (delivered) {
          sent.add(mark);
          out.notices += 1;
        }
      }
    }
    if (days > settings.renewalDaysBeforeExpiry) continue;
    try {
      const r = await startRenewal({ tenantId, gatewayId, slot: reported.slot, force: false, by: "auto-renew", now });
      if (r.started) out.started.push(r.execution.executionId);
    } catch (e) {
      if (!(e instanceof AppError) || e.statusCode !== 409) throw e;
    }
  }
  if (sent.size !== settings.noticesSent.length) {
    const fresh = await certificateSettings(tenantId, gatewayId);
    await saveCertificateSettings(tenantId, gatewayId, fresh.version, { noticesSent: [...sent].slice(-50) });
  }
}
