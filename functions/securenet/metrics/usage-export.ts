import { UsageExportQuery } from "#shared/billing/schemas.ts";
import { usageHistory } from "#shared/billing/usage.ts";
import { UsageExportView, usageCsv, usageExportView } from "#shared/billing/views.ts";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/metrics/usage/export",
  { query: UsageExportQuery, response: UsageExportView },
  async (req) => {
    const tenantId = req.principal.tenantId;
    const { months } = await usageHistory(tenantId, req.query.months);
    if (req.query.format === "csv") {
      return new RawResponse(
        200,
        {
          "Content-Type": "text/csv; charset=utf-8",
          "Content-Disposition": `attachment; filename="usage-${tenantId}.csv"`,
        },
        usageCsv(months),
      );
    }
    return usageExportView(tenantId, months);
  },
);
