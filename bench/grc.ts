/**
 * GRC benchmark: list endpoints with 1,000 controls in a tenant (three enterprises, four
 * frameworks), read by the enterprise and framework indexes (Queries, never a Scan), and the
 * DynamoDB calls of the security overview dashboard. The controls are written straight into the
 * table (one transaction per 100), since seeding 1,000 through the API would spend ten minutes of
 * the tenant's rate limit. Figures are printed, never asserted.
 */
import { randomUUID } from "node:crypto";

type Call = (
  method: string,
  path: string,
  opts?: Record<string, unknown>,
) => Promise<{ status: number; body: any; headers: Record<string, string> }>;
type Warm = (
  label: string,
  n: number,
  fn: () => Promise<{ status: number; headers?: Record<string, string> }>,
) => Promise<void>;

export async function benchGrc(ctx: {
  call: Call;
  warm: Warm;
  newTenant: (label?: string) => Promise<{ token: string; tenantId: string }>;
}): Promise<void> {
  const { call, warm } = ctx;
  const { putRecords } = await import("#shared/compliance/db/records.ts");
  const S = "/api/security";
  const tenant = await ctx.newTenant("bench-grc");
  const first = await call("GET", `${S}/enterprises/`, { token: tenant.token });
  const enterprises = [first.body.results[0].id as string];
  for (const name of ["Bench unit B", "Bench unit C"]) {
    enterprises.push((await call("POST", `${S}/enterprises/`, { token: tenant.token, body: { name } })).body.id);
  }
  const frameworks = ["nist-csf-2.0", "nist-800-53-r5", "iso-27001-2022", "cis-controls-v8.1"];
  const priorities = ["critical", "high", "medium", "low"];
  const statuses = ["not_implemented", "implemented", "verified"];
  const now = Date.now();
  const records = Array.from({ length: 1000 }, (_, i) => {
    const at = new Date(now - (1000 - i) * 1000).toISOString();
    return {
      tenantId: tenant.tenantId,
      kind: "control" as const,
      id: randomUUID(),
      enterprise: enterprises[i % 3] as string,
      framework: frameworks[i % 4] as string,
      createdAt: at,
      updatedAt: at,
      doc: {
        control_id: `BENCH-${i}`,
        requirement_id: null,
        name: `Bench control ${i}`,
        description: "A control written for the benchmark, with a description of ordinary length to weigh like one.",
        category: "Bench",
        status: statuses[i % 3],
        priority: priorities[i % 4],
        implementation_notes: "",
        evidence_document: null,
        test_results: "",
        verification_date: null,
        verified_by: null,
        verified_by_username: null,
        evidence_checks: [],
        status_reason: null,
      },
    };
  });
  for (let i = 0; i < records.length; i += 100) await putRecords(records.slice(i, i + 100));

  console.log("\nGRC with 1,000 controls (3 enterprises, 4 frameworks):");
  const get = (path: string) => () => call("GET", path, { token: tenant.token });
  await warm("GET /api/security/controls/ (all, page 1)", 40, get(`${S}/controls/`));
  await warm("GET /api/security/controls/?enterprise= (GSI1)", 40, get(`${S}/controls/?enterprise=${enterprises[1]}`));
  await warm("GET /api/security/controls/?framework= (GSI2)", 40, get(`${S}/controls/?framework=iso-27001-2022`));
  await warm(
    "GET /api/security/controls/ ?search&ordering",
    40,
    get(`${S}/controls/?search=control%2099&ordering=-priority&page_size=100`),
  );
  await warm("GET /api/dashboard/security/overview/", 40, get("/api/dashboard/security/overview/"));
}
