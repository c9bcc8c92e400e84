import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";
import { health, uptimeSeconds } from "#shared/reports/health.ts";
import { HealthView, healthView } from "#shared/reports/metrics-views.ts";

/** Not enveloped: a load balancer or monitor reads it as it is (and its status code). */
const produces = {
  "application/json": {
    description: "Health of the platform's dependencies: 200 healthy, 503 when one is down",
    schema: HealthView,
  },
};

export const endpoint = defineEndpoint("GET /api/metrics/health", { produces }, async () => {
  const h = await health();
  const body = healthView(h, uptimeSeconds(), process.env.WARDEN_VERSION ?? "dev");
  // A monitor reads the status code: 503 while a dependency is down.
  return new RawResponse(
    h.healthy ? 200 : 503,
    { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
    JSON.stringify(body),
  );
});
