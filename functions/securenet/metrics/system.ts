import * as z from "zod/mini";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { systemMetrics } from "#shared/reports/metrics.ts";
import { SystemMetricsView, systemMetricsView } from "#shared/reports/metrics-views.ts";

const Query = z.strictObject({ gateway_id: z.optional(z.coerce.number().check(z.int(), z.positive())) });

export const endpoint = defineEndpoint(
  "GET /api/metrics/system",
  { query: Query, response: SystemMetricsView },
  async (req) =>
    systemMetricsView(await systemMetrics(req.principal.tenantId, req.query.gateway_id), req.query.gateway_id),
);
