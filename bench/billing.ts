/**
 * Billing and metrics figures for `npm run bench`: `limits/check` latency, and DynamoDB calls per
 * authenticated request with API-request metering folded into the rate-limit UpdateItem (the
 * figure must stay what it was before metering: one BatchGet for the caller, one UpdateItem).
 */
type Answer = { status: number; headers?: Record<string, string> };
type Call = (method: string, path: string, opts?: Record<string, unknown>) => Promise<Answer>;

export async function benchBilling(ctx: {
  call: Call;
  newTenant: (label?: string) => Promise<{ token: string; tenantId: string }>;
  warm: (label: string, n: number, fn: () => Promise<Answer>) => Promise<void>;
}): Promise<void> {
  const { call, newTenant, warm } = ctx;
  console.log("\nBilling and metrics:");
  // The billing class allows 30 requests a minute per organization: spread over 5 of them.
  const orgs = await Promise.all(Array.from({ length: 5 }, (_, i) => newTenant(`bench-billing-${i}`)));
  let next = 0;
  const round = () => {
    next = (next + 1) % orgs.length;
    return orgs[next]?.token;
  };
  await warm("GET /api/billing/limits/check", 100, () => call("GET", "/api/billing/limits/check", { token: round() }));
  await warm("GET /api/billing/plans", 100, () => call("GET", "/api/billing/plans", { token: round() }));
  await warm("GET /api/metrics/prometheus", 50, () => call("GET", "/api/metrics/prometheus", { token: round() }));
}
