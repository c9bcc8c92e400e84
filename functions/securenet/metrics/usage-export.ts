import * as z from "zod/mini";
import { UsageExportQuery } from "#shared/billing/schemas.ts";
import { usageHistory } from "#shared/billing/usage.ts";
import { UsageExportView, usageCsv, usageExportView } from "#shared/billing/views.ts";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";

/** JSON in securenet's envelope (`format=json`, the default) or a CSV file (`format=csv`). */
const produces = {
  "application/json": {
    description: "The usage history in securenet's envelope (format=json)",
    schema: z.strictObject({ status: z.literal("success"), data: UsageExportView, timestamp: z.string() }),
  },
  "text/csv": { description: "The usage history, one row per month (format=csv)" },
};

export const endpoint = defineEndpoint(
  "GET /api/metrics/usage/export",
  { query: UsageExportQuery, produces },
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
