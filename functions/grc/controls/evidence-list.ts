/** GET /api/security/controls/{id}/evidence/ — the control's bound checks and evidence records, newest first (beyond spec). */
import { paginate } from "#shared/compliance/drf.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { controlEvidence } from "#shared/compliance/evidence.ts";
import { EvidenceListQuery, IdPath } from "#shared/compliance/schemas.ts";
import { ControlEvidenceView, controlEvidenceView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/controls/{id}/evidence/",
  { path: IdPath, query: EvidenceListQuery, response: ControlEvidenceView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const { control, evidence } = await controlEvidence(scope, req.path.id);
    return controlEvidenceView(
      control,
      paginate(evidence, req.query, req.route.path.replace("{id}", control.id), req.query),
    );
  },
);
