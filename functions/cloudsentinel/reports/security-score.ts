/** GET /api/v1/reports/security-score — the score (0–10), its trend from stored scans, and where fixes pay most. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { securityScore } from "#shared/posture/reports.ts";
import { SecurityScoreView } from "#shared/posture/views.ts";

export const endpoint = defineEndpoint(
  "GET /api/v1/reports/security-score",
  { response: SecurityScoreView },
  async (req) => securityScore(req.principal.tenantId),
);
