/** POST /api/security/checklists/{id}/verify/ — records who verified a completed checklist, and when. */
import { verifyChecklist } from "#shared/compliance/checklists.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { ChecklistView, checklistView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/checklists/{id}/verify/",
  { path: IdPath, response: ChecklistView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await verifyChecklist(scope, req.path.id, req.principal);
    req.audit({ resource: `checklists/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    return checklistView(r);
  },
);
