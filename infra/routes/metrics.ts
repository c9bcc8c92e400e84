/**
 * Securenet surface, metrics (securenet spec "Metrics & Analytics Endpoints"): read models over
 * every area (shared/reports/), Prometheus text, and the public health probe. Rate class `metrics`
 * (60 requests a minute). Stack `Routes-metrics`.
 *
 * Access: reads only; the health probe also reads the IoT data plane (a shadow read).
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "securenet", base: "/api/metrics", rateClass: "metrics" });
const RO = { table: "RO" } as const;

export const metricsRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/system",
    handler: "functions/securenet/metrics/system.ts",
    permission: "metrics:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/organization",
    handler: "functions/securenet/metrics/organization.ts",
    permission: "metrics:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/security",
    handler: "functions/securenet/metrics/security.ts",
    permission: "metrics:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/prometheus",
    handler: "functions/securenet/metrics/prometheus.ts",
    permission: "metrics:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/dashboard",
    handler: "functions/securenet/metrics/dashboard.ts",
    permission: "metrics:read",
    access: RO,
  }),
  row({
    method: "GET",
    path: "/health",
    handler: "functions/securenet/metrics/health.ts",
    permission: null,
    // The IoT probe reads one shadow; nothing here writes one.
    access: { ...RO, iotShadowsRead: true },
  }),
  row({
    method: "GET",
    path: "/usage/export",
    handler: "functions/securenet/metrics/usage-export.ts",
    permission: "metrics:read",
    access: RO,
  }),
];
