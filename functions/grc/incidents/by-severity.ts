/** GET /api/security/incidents/by_severity/ — active incidents counted per severity. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { bySeverity } from "#shared/compliance/incidents.ts";
import { visibleRecords } from "#shared/compliance/records.ts";
import { EnterpriseQuery } from "#shared/compliance/schemas.ts";
import { BySeverityView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/incidents/by_severity/",
  { query: EnterpriseQuery, response: BySeverityView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return bySeverity(await visibleRecords(scope, "incident", { enterprise: req.query.enterprise }));
  },
);
