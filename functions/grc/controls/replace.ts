/** PUT /api/security/controls/{id}/ — full update of a security control. */
import { updateControl } from "#shared/compliance/controls.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { ControlPut, IdPath } from "#shared/compliance/schemas.ts";
import { ControlView, controlView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "PUT /api/security/controls/{id}/",
  { path: IdPath, body: ControlPut, response: ControlView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const { record, changes } = await updateControl(scope, req.path.id, req.body);
    req.audit({
      resource: `controls/${record.id}`,
      details: { id: record.id, enterprise: record.enterprise, changes },
    });
    return controlView(record);
  },
);
