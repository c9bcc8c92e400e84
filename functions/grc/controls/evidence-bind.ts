/**
 * POST /api/security/controls/{id}/evidence/ — binds the control to an evidence check and evaluates
 * it at once (beyond spec): from then on the check's result keeps the control verified, or drops it.
 */
import { paginate } from "#shared/compliance/drf.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { bindEvidence } from "#shared/compliance/evidence.ts";
import { EvidenceBind, IdPath } from "#shared/compliance/schemas.ts";
import { ControlEvidenceView, controlEvidenceView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/controls/{id}/evidence/",
  { path: IdPath, body: EvidenceBind, response: ControlEvidenceView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const { control, evidence } = await bindEvidence(scope, req.path.id, req.body.check, req.principal);
    req.audit({
      resource: `controls/${control.id}`,
      details: { id: control.id, enterprise: control.enterprise, check: req.body.check, status: control.doc.status },
    });
    req.status(201);
    const path = req.route.path.replace("{id}", control.id);
    return controlEvidenceView(control, paginate(evidence, {}, path, {}));
  },
);
