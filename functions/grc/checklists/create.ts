/** POST /api/security/checklists/ — a new hardening checklist. */
import { createChecklist } from "#shared/compliance/checklists.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { ChecklistCreate } from "#shared/compliance/schemas.ts";
import { ChecklistView, checklistView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/checklists/",
  { body: ChecklistCreate, response: ChecklistView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await createChecklist(scope, req.body);
    req.audit({ resource: `checklists/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    req.status(201);
    return checklistView(r);
  },
);
