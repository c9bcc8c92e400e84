/**
 * A gateway as the fleet routes show it: its record, whether it is online (it published metrics
 * recently), and the sync state of each of its named shadows against the config version saved for
 * it. views.ts writes it on the wire.
 */
import { ReportedStateSchema } from "#edge/contract.ts";
import type { Gateway } from "#shared/fleet/db/gateways.ts";
import type { SyncOutcome } from "#shared/fleet/db/sync-outcomes.ts";
import type { GatewayShadow } from "#shared/iot/policy.ts";
import { getShadow } from "#shared/iot/shadows.ts";
import { log } from "#shared/kit/log.ts";
import { type DesiredDocument, type SyncState, syncState } from "./shadow-sync.ts";

/** A gateway counts as online when it published metrics within this window. */
const ONLINE_WINDOW_MS = 5 * 60_000;

export interface GatewayStatus {
  gateway: Gateway;
  online: boolean;
  sync: Record<GatewayShadow, SyncState>;
  /**
   * What the cloud asks the gateway to run, per shadow: the shadow's `desired`, or, once the edge
   * cleared it after applying, the document rendered from the saved configuration (when given).
   */
  desired: Partial<Record<GatewayShadow, DesiredDocument>>;
  /**
   * What the gateway reports listening on (`tcp:<port>`/`udp:<port>` of sockets bound to a
   * non-loopback address, from its firewall shadow's report); null when it reports none (an older
   * edge, or the shadow could not be read).
   */
  listening: string[] | null;
}

const Listening = ReportedStateSchema.shape.listening;

/**
 * `versions`: the config version saved for this gateway, per shadow (a newer one is "pending");
 * `saved`: the desired document rendered from the saved configuration, per shadow (what the report
 * is compared with once the edge cleared `desired`); `writes`: the fan-out's last outcome per shadow
 * (fleet-sync.ts), keyed `<shadow>#<gateway id>`.
 */
export async function gatewayStatus(
  g: Gateway,
  versions?: Partial<Record<GatewayShadow, number>>,
  saved?: Partial<Record<GatewayShadow, DesiredDocument>>,
  writes?: Map<string, SyncOutcome>,
): Promise<GatewayStatus> {
  const desired: Partial<Record<GatewayShadow, DesiredDocument>> = {};
  let listening: string[] | null = null;
  const stateOf = async (name: GatewayShadow): Promise<SyncState> => {
    try {
      const shadow = await getShadow(g.thingName, name);
      if (name === "firewall") {
        const reported = Listening.safeParse((shadow?.reported as Record<string, unknown> | undefined)?.listening);
        listening = reported.success ? (reported.data ?? null) : null;
      }
      const doc = shadow?.desired ?? saved?.[name];
      if (doc) desired[name] = doc;
      return syncState(shadow, versions?.[name], saved?.[name], writes?.get(`${name}#${g.id}`));
    } catch (error) {
      // One unreadable shadow must not fail the whole fleet listing; it says why instead.
      log.warn("shadow read failed", { thing: g.thingName, shadow: name, error });
      const message = error instanceof Error ? error.message : String(error);
      return {
        desiredVersion: null,
        reportedVersion: null,
        status: "pending",
        error: `the shadow could not be read: ${message}`,
        reportedAt: null,
        lastWrite: writes?.get(`${name}#${g.id}`) ?? null,
      };
    }
  };
  const [firewall, ssh, certificates] = await Promise.all([
    stateOf("firewall"),
    stateOf("ssh"),
    stateOf("certificates"),
  ]);
  const online = g.lastSeen !== undefined && Date.now() - Date.parse(g.lastSeen) < ONLINE_WINDOW_MS;
  return { gateway: g, online, sync: { firewall, ssh, certificates }, desired, listening };
}
