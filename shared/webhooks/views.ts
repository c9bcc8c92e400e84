/** The webhook as the gateway spec's token settings show it. */
import type { WebhookSettings } from "./db/webhook-settings.ts";
import { maskSecret, SIGNATURE_FORMAT, SIGNATURE_HEADER } from "./signing.ts";

export function webhookView(s: WebhookSettings) {
  return {
    // The secret is shown in full once, when created or rotated; afterwards only masked.
    secret: maskSecret(s.secretHint),
    url: s.url,
    enabled: s.enabled,
    events: s.events,
    retry_count: s.retryCount,
    timeout_seconds: s.timeoutSeconds,
    signature_header: SIGNATURE_HEADER,
    signature_format: SIGNATURE_FORMAT,
  };
}
