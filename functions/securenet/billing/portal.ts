import { portal } from "#shared/billing/subscriptions.ts";
import { PortalView, portalView } from "#shared/billing/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("POST /api/billing/portal", { response: PortalView }, async (req) => {
  const session = await portal(req.principal.tenantId);
  req.status(201);
  return portalView(session);
});
