/** Benchmarks of the routes beyond the login slice: identity, API keys, audit, and the fleet. */
import { printFleetBench } from "./fleet.ts";

type Call = (
  method: string,
  path: string,
  opts?: Record<string, unknown>,
) => Promise<{ status: number; body: any; headers: Record<string, string> }>;

export async function benchExtra(ctx: {
  call: Call;
  freshIp: () => string;
  newTenant: (label?: string) => Promise<{ token: string; username: string; password: string; tenantId: string }>;
  warm: (
    label: string,
    n: number,
    fn: () => Promise<{ status: number; headers?: Record<string, string> }>,
  ) => Promise<void>;
  tenant: { token: string; username: string; password: string; tenantId: string };
}): Promise<void> {
  const { call, warm, tenant } = ctx;
  const S = "/cloud-integration/security";

  // A tenant with 50 users, so the list has something to read.
  for (let i = 0; i < 50; i++) {
    const res = await call("POST", `${S}/users/create`, {
      token: tenant.token,
      body: {
        username: `bench-user-${i}`,
        email: `bench-user-${i}@example.com`,
        role: "viewer",
        password: `Bench-User#${i}-2026x`,
      },
    });
    if (res.status !== 201) throw new Error(`users/create: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await warm(`GET ${S}/users (50 users)`, 100, () => call("GET", `${S}/users`, { token: tenant.token }));

  const key = await call("POST", `${S}/api-keys/generate`, {
    token: tenant.token,
    body: { name: "bench", scope: ["*"], rate_limit: 10_000 },
  });
  if (key.status !== 201) throw new Error(`api-keys/generate: ${key.status} ${JSON.stringify(key.body)}`);
  const apiKey = key.body.api_key.full_key as string;
  await warm("GET /api/v1/auth/me with an API key", 100, () => call("GET", "/api/v1/auth/me", { apiKey }));
  await warm(`GET ${S}/audit/logs (24 h)`, 100, () => call("GET", `${S}/audit/logs`, { token: tenant.token }));

  await printFleetBench();
}
