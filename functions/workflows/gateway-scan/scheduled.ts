/** A tenant's weekly scan is due (its EventBridge Scheduler schedule invokes this with `{tenantId}`). */
import * as z from "zod/mini";
import { runScheduledScan } from "#shared/scans/scans.ts";

const Event = z.object({ tenantId: z.string().check(z.minLength(1)) });

export const handler = async (event: unknown) => ({ scanId: await runScheduledScan(Event.parse(event).tenantId) });
