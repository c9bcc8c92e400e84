/** Webhook events the gateway spec lists; each maps to one audit event type of the same name. */
export const WEBHOOK_EVENTS = [
  "login",
  "logout",
  "user_created",
  "user_updated",
  "user_deleted",
  "api_key_generated",
  "api_key_revoked",
  // Cloudsentinel scans (sent by the scan's Notify step with the cloudsentinel spec's payload).
  "scan.completed",
  "alert.created",
  "alert.resolved",
  // A gateway security scan ended (completed, failed or cancelled), with its score and risk level.
  "scan_completed",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
