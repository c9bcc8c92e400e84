import * as z from "zod/mini";
import { auditStatistics } from "#shared/audit/stats.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const query = z.strictObject({
  time_range: z.optional(z.enum(["24h", "7d", "30d", "custom"])),
  start_date: z.optional(z.string()),
  end_date: z.optional(z.string()),
});

export const endpoint = defineEndpoint("GET /cloud-integration/security/audit/stats", { query }, (req) =>
  auditStatistics(req.principal.tenantId, {
    timeRange: req.query.time_range,
    startDate: req.query.start_date,
    endDate: req.query.end_date,
  }),
);
