/** POST /api/insights/summary — the tenant's findings of `time_range` (shared/insights/findings.ts rules), summarised. */
import { summarise } from "#shared/insights/reports.ts";
import { hoursOf, SummaryBody } from "#shared/insights/schemas.ts";
import { SummaryResponse, summaryView } from "#shared/insights/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/insights/summary",
  { body: SummaryBody, response: SummaryResponse },
  async (req) =>
    summaryView(
      await summarise(req.principal.tenantId, req.body.time_range, hoursOf(req.body.time_range), req.body.log_types),
    ),
);
