/** GET /api/anomalies (legacy) — anomalies the active model found in ingested gateway metrics, newest first. */
import { listAnomalies } from "#shared/insights/anomalies.ts";
import { AnomaliesQuery } from "#shared/insights/schemas.ts";
import { AnomaliesResponse, anomaliesView } from "#shared/insights/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/anomalies",
  { query: AnomaliesQuery, response: AnomaliesResponse },
  async (req) =>
    anomaliesView(
      await listAnomalies(req.principal.tenantId, {
        hours: req.query.hours,
        limit: req.query.limit,
        cursor: req.query.cursor,
        gatewayId: req.query.gateway_id,
      }),
    ),
);
