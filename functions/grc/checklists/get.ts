/** GET /api/security/checklists/{id}/ — one hardening checklist. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { visibleRecord } from "#shared/compliance/records.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { ChecklistView, checklistView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/checklists/{id}/",
  { path: IdPath, response: ChecklistView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return checklistView(await visibleRecord(scope, "checklist", req.path.id));
  },
);
