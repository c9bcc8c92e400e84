/** Benchmarks of the routes beyond the login slice; each area adds its figures here. */
export async function benchExtra(_ctx: {
  call: (method: string, path: string, opts?: Record<string, unknown>) => Promise<{ status: number; body: any }>;
  freshIp: () => string;
  newTenant: (label?: string) => Promise<{ token: string; username: string; password: string; tenantId: string }>;
  warm: (label: string, n: number, fn: () => Promise<{ status: number }>) => Promise<void>;
  tenant: { token: string; username: string; password: string; tenantId: string };
}): Promise<void> {}
