import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";
import { health, uptimeSeconds } from "#shared/reports/health.ts";
import { HealthView, healthView } from "#shared/reports/metrics-views.ts";

export const endpoint = defineEndpoint("GET /api/metrics/health", { response: HealthView }, async () => {
  const h = await health();
  const body = healthView(h, uptimeSeconds(), process.env.WARDEN_VERSION ?? "dev");
  // A monitor reads the status code: 503 while a dependency is down.
  return new RawResponse(
    h.healthy ? 200 : 503,
    { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
    JSON.stringify(body),
  );
});
