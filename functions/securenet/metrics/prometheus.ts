import * as z from "zod/mini";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";
import { prometheusText } from "#shared/reports/prometheus.ts";

/** The Prometheus text exposition format (version 0.0.4), not enveloped. */
export const PrometheusText = z.string();

export const endpoint = defineEndpoint("GET /api/metrics/prometheus", { response: PrometheusText }, async (req) => {
  const out = await prometheusText(req.principal.tenantId);
  return new RawResponse(200, { "Content-Type": out.contentType, "Cache-Control": "no-store" }, out.body);
});
