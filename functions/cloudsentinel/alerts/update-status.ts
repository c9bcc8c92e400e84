/**
 * PATCH /api/v1/alerts/{alert_id}/status — open → acknowledged → resolved, reopen, or suppress with
 * a reason and an expiry (a governed exception). 409 for a move the workflow does not allow.
 */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { changeAlertStatus } from "#shared/posture/alerts.ts";
import { AlertPath, AlertUpdate } from "#shared/posture/schemas.ts";
import { AlertStatusView, alertStatusView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint(
  "PATCH /api/v1/alerts/{alert_id}/status",
  { path: AlertPath, body: AlertUpdate, response: AlertStatusView },
  async (req) => {
    const alert = await changeAlertStatus(req.principal.tenantId, req.path.alert_id, req.body, req.principal.userId);
    req.audit({
      resource: `alerts/${alert.id}`,
      details: { alert_id: alert.id, status: alert.status, reason: req.body.reason, expires_at: req.body.expires_at },
    });
    return alertStatusView(alert);
  },
);
