/**
 * The route table: the single source of truth for every endpoint. The CDK app builds one Lambda
 * per row — one route stack per route file, named after it (`<prefix>-Routes-<file>`), so which
 * stack a function lives in depends only on the file its row is in, never on row order — and local
 * mode serves the same rows. `npm run -s routes` prints it.
 * Keep these files free of CDK imports and of handler imports: they are data.
 */
import type { RouteDef } from "#shared/kit/route.ts";
import { auditRoutes } from "./routes/audit.ts";
import { backupRoutes } from "./routes/backups.ts";
import { billingRoutes } from "./routes/billing.ts";
import { certificateRoutes } from "./routes/certificates.ts";
import { cloudsentinelScanRoutes } from "./routes/cloudsentinel-scans.ts";
import { docsRoutes } from "./routes/docs.ts";
import { fleetRoutes } from "./routes/fleet.ts";
import { grcGovernanceRoutes } from "./routes/grc-governance.ts";
import { grcOperationsRoutes } from "./routes/grc-operations.ts";
import { identityRoutes } from "./routes/identity.ts";
import { insightsRoutes } from "./routes/insights.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { realtimeRoutes } from "./routes/realtime.ts";
import { reportRoutes } from "./routes/reports.ts";
import { scanRoutes } from "./routes/scans.ts";
import { signInRoutes } from "./routes/sign-in.ts";
import { tenancyRoutes } from "./routes/tenancy.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

/** Route file name (`infra/routes/<name>.ts`) → its rows. A file that grows past 40 rows is split (ROUTES_PER_STACK). */
export const routeFiles: Record<string, RouteDef[]> = {
  "sign-in": signInRoutes,
  identity: identityRoutes,
  webhooks: webhookRoutes,
  audit: auditRoutes,
  fleet: fleetRoutes,
  tenancy: tenancyRoutes,
  reports: reportRoutes,
  certificates: certificateRoutes,
  "grc-governance": grcGovernanceRoutes,
  "grc-operations": grcOperationsRoutes,
  billing: billingRoutes,
  metrics: metricsRoutes,
  docs: docsRoutes,
  "cloudsentinel-scans": cloudsentinelScanRoutes,
  scans: scanRoutes,
  realtime: realtimeRoutes,
  insights: insightsRoutes,
  backups: backupRoutes,
};

export const routes: RouteDef[] = Object.values(routeFiles).flat();
