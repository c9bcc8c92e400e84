/** GET /api/security/controls/{id}/ — one security control. */
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { visibleRecord } from "#shared/compliance/records.ts";
import { IdPath } from "#shared/compliance/schemas.ts";
import { ControlView, controlView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/security/controls/{id}/",
  { path: IdPath, response: ControlView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return controlView(await visibleRecord(scope, "control", req.path.id));
  },
);
