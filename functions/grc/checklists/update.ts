/** PATCH /api/security/checklists/{id}/ — partial update of a hardening checklist. */
import { updateChecklist } from "#shared/compliance/checklists.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { ChecklistPatch, IdPath } from "#shared/compliance/schemas.ts";
import { ChecklistView, checklistView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "PATCH /api/security/checklists/{id}/",
  { path: IdPath, body: ChecklistPatch, response: ChecklistView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const { record, changes } = await updateChecklist(scope, req.path.id, req.body);
    req.audit({
      resource: `checklists/${record.id}`,
      details: { id: record.id, enterprise: record.enterprise, changes },
    });
    return checklistView(record);
  },
);
