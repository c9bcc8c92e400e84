/** GET /api/dashboard/security/overview/ — every visible enterprise's security at a glance. */
import { overview } from "#shared/compliance/dashboards.ts";
import { scopeOf } from "#shared/compliance/enterprises.ts";
import { OverviewView, overviewView } from "#shared/compliance/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /api/dashboard/security/overview/",
  { response: OverviewView },
  async (req) => {
    const scope = await scopeOf(req.principal);
    return overviewView(await overview(scope));
  },
);
