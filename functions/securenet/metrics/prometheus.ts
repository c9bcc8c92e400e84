import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";
import { prometheusText } from "#shared/reports/prometheus.ts";

/** The Prometheus text exposition format (version 0.0.4), not enveloped. */
const produces = {
  "text/plain": { description: "Prometheus text exposition format 0.0.4: the caller's tenant only" },
};

export const endpoint = defineEndpoint("GET /api/metrics/prometheus", { produces }, async (req) => {
  const out = await prometheusText(req.principal.tenantId);
  return new RawResponse(200, { "Content-Type": out.contentType, "Cache-Control": "no-store" }, out.body);
});
