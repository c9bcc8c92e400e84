/** POST /api/security/controls/ — a new security control. */
import { createControl } from "#shared/compliance/controls.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { ControlCreate } from "#shared/compliance/schemas.ts";
import { ControlView, controlView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/controls/",
  { body: ControlCreate, response: ControlView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await createControl(scope, req.body);
    req.audit({ resource: `controls/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    req.status(201);
    return controlView(r);
  },
);
