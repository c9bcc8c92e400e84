/** POST /api/security/controls/{id}/verify/ — marks an implemented control verified, by whom and when. */
import { verifyControl } from "#shared/compliance/controls.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { ControlVerifyBody, IdPath } from "#shared/compliance/schemas.ts";
import { ControlView, controlView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/security/controls/{id}/verify/",
  { path: IdPath, body: ControlVerifyBody, response: ControlView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    const r = await verifyControl(scope, req.path.id, req.principal, req.body ?? {});
    req.audit({ resource: `controls/${r.id}`, details: { id: r.id, enterprise: r.enterprise } });
    return controlView(r);
  },
);
