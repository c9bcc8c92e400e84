/** GET /api/security/evidence/checks/ — the evidence checks, what each reads, and the catalog requirements each serves (beyond spec). */
import { paginate } from "#shared/compliance/drf.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { evidenceChecks } from "#shared/compliance/evidence.ts";
import { EvidenceListQuery } from "#shared/compliance/schemas.ts";
import { EvidenceCheckList } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/evidence/checks/",
  { query: EvidenceListQuery, response: EvidenceCheckList },
  async (req) => {
    await scopeOf(req.principal);
    return paginate(evidenceChecks(), req.query, req.route.path, req.query);
  },
);
