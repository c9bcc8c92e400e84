/**
 * The public health probe: real checks of what the platform depends on, no tenant data. The
 * table answers a GetItem; the IoT data plane answers a shadow read (a missing shadow is a healthy
 * answer); workflows are reported as not configured until a state machine is deployed; Stripe as
 * configured or not (no call to Stripe).
 */
import { stripeConfigured } from "#shared/billing/settings.ts";
import { HEALTH_PROBE_THING } from "#shared/iot/policy.ts";
import { getShadow } from "#shared/iot/shadows.ts";
import { log } from "#shared/kit/log.ts";
import { getTenant } from "#shared/tenancy/tenants.ts";

export type ProbeState = "connected" | "disconnected" | "not_configured" | "configured";

export interface Health {
  healthy: boolean;
  checks: { database: ProbeState; iot: ProbeState; workflows: ProbeState; stripe: ProbeState };
}

const started = Date.now();
export const uptimeSeconds = () => Math.floor((Date.now() - started) / 1000);

async function probe(name: string, check: () => Promise<unknown>, timeoutMs = 2000): Promise<ProbeState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} probe timed out`)), timeoutMs);
      }),
    ]);
    return "connected";
  } catch (error) {
    log.warn("health probe failed", { probe: name, error });
    return "disconnected";
  } finally {
    clearTimeout(timer);
  }
}

export async function health(): Promise<Health> {
  const [database, iot] = await Promise.all([
    probe("database", () => getTenant("health-probe")),
    probe("iot", () => getShadow(HEALTH_PROBE_THING, "firewall")),
  ]);
  const checks = {
    database,
    iot,
    workflows: "not_configured" as const,
    stripe: stripeConfigured() ? ("configured" as const) : ("not_configured" as const),
  };
  return { healthy: database === "connected" && iot === "connected", checks };
}
