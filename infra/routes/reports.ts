/**
 * Read models across areas: the security status overview (gateway spec "Security Status").
 * Stack `Routes-reports`.
 */
import { type RouteDef, rows } from "#shared/kit/route.ts";

const row = rows({ surface: "gateway", base: "/cloud-integration/security" });
const RO = { table: "RO" } as const;

export const reportRoutes: RouteDef[] = [
  row({
    method: "GET",
    path: "/status",
    handler: "functions/gateway/status/get.ts",
    permission: "security:read",
    access: RO,
  }),
];
