/**
 * Failed SSH logins the gateways report, one item each (who tried, from where, why it failed),
 * with the events' TTL (`expiresAt`):
 *
 *   T#<t>#SSHFAIL#<yyyy-mm-dd> / <timestamp>#<gateway>#<nonce>   one failed SSH login
 *
 * Access patterns: store a batch (BatchWrite); a day's failures (Query on the day's partition).
 */
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { batchPut, day } from "./event-writes.ts";

export const sshAuthFailureKeys = {
  dayPk: (t: string, d: string) => `${tenantPk(t)}#SSHFAIL#${d}`,
};

export const AuthFailureItem = z.object({
  gateway_id: z.number(),
  timestamp: z.string(),
  username: z.string(),
  client_ip: z.string(),
  client_port: z.optional(z.number()),
  reason: z.string(),
});
export type AuthFailureRecord = z.infer<typeof AuthFailureItem>;

export async function storeAuthFailures(
  tenantId: string,
  failures: AuthFailureRecord[],
  expiresAt: number,
): Promise<void> {
  await batchPut(
    failures.map((f) => ({
      PK: sshAuthFailureKeys.dayPk(tenantId, day(f.timestamp)),
      SK: `${f.timestamp}#${pad(f.gateway_id)}#${randomUUID().slice(0, 8)}`,
      type: "SshAuthFailure",
      ...f,
      expiresAt,
    })),
  );
}
