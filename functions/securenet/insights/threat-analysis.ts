/** POST /api/insights/threat-analysis — threats and behavioural patterns from the tenant's findings, each citing its records. */
import { analyseThreats } from "#shared/insights/reports.ts";
import { hoursOf, ThreatAnalysisBody } from "#shared/insights/schemas.ts";
import { ThreatAnalysisResponse, threatAnalysisView } from "#shared/insights/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/insights/threat-analysis",
  { body: ThreatAnalysisBody, response: ThreatAnalysisResponse },
  async (req) =>
    threatAnalysisView(
      await analyseThreats(
        req.principal.tenantId,
        req.body.analysis_type,
        hoursOf(req.body.time_range),
        req.body.include_predictions,
      ),
    ),
);
