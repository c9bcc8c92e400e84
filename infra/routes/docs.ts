/**
 * The API's own description, public: GET /openapi.json, the document `npm run openapi` writes,
 * carried by this route's bundle alone (infra/build.ts inlines it at build time). Static and cheap,
 * so it touches nothing (no table, not rate limited per caller: API Gateway's throttling applies).
 * Stack `Routes-docs`.
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const platform = rows({ surface: "platform" });

export const docsRoutes: RouteDef[] = [
  platform({
    method: "GET",
    path: "/openapi.json",
    handler: "functions/platform/openapi/get.ts",
    permission: null,
    access: {},
    rateClass: "unlimited",
    allowDuringSystemLock: true,
  }),
];
