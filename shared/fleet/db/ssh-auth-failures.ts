/**
 * Failed SSH logins the gateways report, one item each (who tried, from where, why it failed),
 * with the events' TTL (`expiresAt`):
 *
 *   T#<t>#SSHFAIL#<yyyy-mm-dd> / <timestamp>#<gateway>#<nonce>   one failed SSH login
 *
 * Access patterns: store a batch (BatchWrite); a day's failures (Query on the day's partition).
 * The daily counts the routes read are in ssh-counters.ts.
 *
 * Items keep the snake_case attribute names they were first written with; the domain sees
 * `SshAuthFailure` (camelCase), converted here.
 */
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { pad, tenantPk } from "#shared/table/keys.ts";
import { batchPut, day } from "./event-writes.ts";

export const sshAuthFailureKeys = {
  dayPk: (t: string, d: string) => `${tenantPk(t)}#SSHFAIL#${d}`,
};

export const SshAuthFailureItem = z.object({
  gateway_id: z.number(),
  timestamp: z.string(),
  username: z.string(),
  client_ip: z.string(),
  client_port: z.optional(z.number()),
  reason: z.string(),
});

export interface SshAuthFailure {
  gatewayId: number;
  timestamp: string;
  username: string;
  clientIp: string;
  clientPort?: number;
  reason: string;
}

const toItem = (f: SshAuthFailure): z.infer<typeof SshAuthFailureItem> => ({
  timestamp: f.timestamp,
  username: f.username,
  client_ip: f.clientIp,
  ...(f.clientPort !== undefined ? { client_port: f.clientPort } : {}),
  reason: f.reason,
  gateway_id: f.gatewayId,
});

export async function putSshAuthFailures(
  tenantId: string,
  failures: SshAuthFailure[],
  expiresAt: number,
): Promise<void> {
  await batchPut(
    failures.map((f) => ({
      PK: sshAuthFailureKeys.dayPk(tenantId, day(f.timestamp)),
      SK: `${f.timestamp}#${pad(f.gatewayId)}#${randomUUID().slice(0, 8)}`,
      type: "SshAuthFailure",
      ...toItem(f),
      expiresAt,
    })),
  );
}
