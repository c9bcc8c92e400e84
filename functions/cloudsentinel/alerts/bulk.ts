/**
 * PATCH /api/v1/alerts/bulk — the same change on up to 100 alerts, each on its own: those that
 * cannot change (unknown, or a move the workflow forbids) are listed in `failed`, the rest change.
 */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { bulkChangeAlerts } from "#shared/posture/alerts.ts";
import { BulkAlertBody } from "#shared/posture/schemas.ts";
import { BulkAlertView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint(
  "PATCH /api/v1/alerts/bulk",
  { body: BulkAlertBody, response: BulkAlertView },
  async (req) => {
    const out = await bulkChangeAlerts(
      req.principal.tenantId,
      req.body.alert_ids,
      req.body.updates,
      req.principal.userId,
    );
    req.audit({
      resource: "alerts/bulk",
      details: {
        status: req.body.updates.status,
        updated: out.updated.map((a) => a.id),
        failed: out.failed.map((f) => f.id),
      },
    });
    const n = out.updated.length;
    return {
      updated_count: n,
      message:
        out.failed.length === 0
          ? `Successfully updated ${n} alert${n === 1 ? "" : "s"}`
          : `Updated ${n} alert${n === 1 ? "" : "s"}; ${out.failed.length} could not be updated`,
      failed: out.failed,
    };
  },
);
