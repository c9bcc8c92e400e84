/** GET /certificates/renewals/{renewal_id} (beyond the spec) — a renewal's progress, from its item in the table. */
import { renewalProgress } from "#shared/certificates/renewal.ts";
import { RenewalPath } from "#shared/certificates/schemas.ts";
import { RenewalView, renewalView } from "#shared/certificates/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { NotFound } from "#shared/kit/errors.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/certificates/renewals/{renewal_id}",
  { path: RenewalPath, response: RenewalView },
  async (req) => {
    const e = await renewalProgress(req.principal.tenantId, req.path.renewal_id);
    if (!e) throw new NotFound(`renewal_id: no renewal ${req.path.renewal_id}`);
    return renewalView(e);
  },
);
