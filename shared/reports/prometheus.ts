/**
 * Prometheus text exposition of one tenant's metrics, via prom-client with a registry per request
 * (so no tenant's series can leak into another's answer, and nothing accumulates between warm
 * invocations). Label values are escaped by prom-client. Names follow Prometheus conventions and
 * pass `promtool check metrics`: the spec's `securenet_devices_total` is a gauge, and a gauge must
 * not end in `_total` (promtool: "non-counter metrics should not have _total suffix"), so it is
 * exposed as `securenet_devices` — a documented deviation from the spec.
 */
import { Gauge, Registry } from "prom-client";
import { usageSnapshot } from "#shared/billing/usage.ts";
import { listGateways } from "#shared/fleet/db/gateways.ts";
import { aggregateSystem, deviceCounts } from "./metrics.ts";

export async function prometheusText(
  tenantId: string,
  now = new Date(),
): Promise<{ contentType: string; body: string }> {
  const [gateways, usage] = await Promise.all([listGateways(tenantId), usageSnapshot(tenantId, now)]);
  const system = aggregateSystem(gateways);
  const devices = deviceCounts(gateways, now.getTime());
  const registry = new Registry();
  const org = { organization_id: tenantId };
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames: ["organization_id", ...labelNames], registers: [registry] });

  const cpu = gauge("securenet_cpu_usage_percent", "CPU usage percentage, mean over the reporting gateways");
  if (system.cpu.usagePercent !== null) cpu.set(org, system.cpu.usagePercent);
  const memory = gauge("securenet_memory_usage_percent", "Memory usage percentage over the reporting gateways");
  if (system.memory.usagePercent !== null) memory.set(org, system.memory.usagePercent);
  const byStatus = gauge("securenet_devices", "Registered gateways by status", ["status"]);
  byStatus.set({ ...org, status: "online" }, devices.online);
  byStatus.set({ ...org, status: "offline" }, devices.offline);
  const perGateway = gauge("securenet_gateway_cpu_usage_percent", "CPU usage percentage of one gateway", ["gateway"]);
  const perGatewayMem = gauge("securenet_gateway_memory_usage_percent", "Memory usage percentage of one gateway", [
    "gateway",
  ]);
  for (const g of gateways) {
    const s = g.lastMetrics as { cpu?: { usage_percent?: unknown }; memory?: { usage_percent?: unknown } } | undefined;
    if (typeof s?.cpu?.usage_percent === "number") perGateway.set({ ...org, gateway: g.name }, s.cpu.usage_percent);
    if (typeof s?.memory?.usage_percent === "number")
      perGatewayMem.set({ ...org, gateway: g.name }, s.memory.usage_percent);
  }
  gauge("securenet_scans_this_month", "Scans started this calendar month (UTC)").set(org, usage.month.scans);
  gauge("securenet_logs_this_month", "Gateway events ingested this calendar month (UTC)").set(org, usage.month.logs);
  gauge("securenet_api_requests_this_month", "Authenticated API requests this calendar month (UTC)").set(
    org,
    usage.month.apiRequests,
  );
  gauge("securenet_plan_device_limit", "Devices the subscription plan allows", ["plan"]).set(
    { ...org, plan: usage.plan.id },
    usage.plan.limits.devices,
  );
  return { contentType: registry.contentType, body: await registry.metrics() };
}
