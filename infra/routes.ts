/**
 * The route table: the single source of truth for every endpoint. The CDK app builds one Lambda
 * per row and local mode serves the same rows; `npm run -s routes` prints it. Rows live in one
 * file per area under `routes/`; this file only joins them.
 * Keep these files free of CDK imports: Lambda bundles import the table to find their own row.
 */
import type { RouteDef } from "#shared/kit/route.ts";
import { gatewayAccessRoutes } from "./routes/gateway-access.ts";
import { gatewayFleetRoutes } from "./routes/gateway-fleet.ts";
import { gatewayIdentityRoutes } from "./routes/gateway-identity.ts";
import { gatewayOperationsRoutes } from "./routes/gateway-operations.ts";
import { gatewaySettingsRoutes } from "./routes/gateway-settings.ts";
import { identityRoutes } from "./routes/identity.ts";

export const routes: RouteDef[] = [
  ...identityRoutes,
  ...gatewayAccessRoutes,
  ...gatewayIdentityRoutes,
  ...gatewayFleetRoutes,
  ...gatewayOperationsRoutes,
  ...gatewaySettingsRoutes,
];
