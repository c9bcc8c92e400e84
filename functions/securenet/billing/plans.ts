import { listPlans } from "#shared/billing/plans.ts";
import { PlansView, plansView } from "#shared/billing/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /api/billing/plans", { response: PlansView }, () => plansView(listPlans()));
