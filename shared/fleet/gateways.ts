/**
 * The gateway registry: a tenant's fleet of IoT gateways. Registering one provisions its IoT thing
 * `warden-<tenant>-<id>` and a certificate bound to the static gateway policy, which lets it touch
 * only its own shadows and event topic (shared/iot/policy.ts), records it, and writes the tenant's current firewall and ssh
 * settings to its shadows so it converges at first connect. The certificate's private key is
 * returned once and never stored. Deregistering undoes all of it.
 */
import { deleteScope } from "#shared/fleet/db/fleet-config.ts";
import {
  deleteGatewayItem,
  type Gateway,
  gatewayKeys,
  getGateway,
  listGateways,
  putGateway,
} from "#shared/fleet/db/gateways.ts";
import { eventsTopic, GATEWAY_SHADOWS, shadowTopicFilter, thingNameOf } from "#shared/iot/policy.ts";
import { iotRegistry } from "#shared/iot/registry.ts";
import { deleteShadow, getShadow } from "#shared/iot/shadows.ts";
import { Conflict, NotFound } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { nextId } from "#shared/table/repo.ts";
import { firewallSpec } from "./firewall.ts";
import { desiredFor, loadSnapshot, pushDesired, type SyncState, syncState } from "./shadow-sync.ts";
import { sshSpec } from "./ssh.ts";

/**
 * Plan limits on the number of gateways hook in here (the billing engineer's seam). Today every
 * tenant may register gateways without limit; a plan check throws SubscriptionLimit (402).
 */
export async function assertDeviceQuota(_tenantId: string): Promise<void> {}

/** A gateway counts as online when it published metrics within this window. */
const ONLINE_WINDOW_MS = 5 * 60_000;

export interface RegisterInput {
  name: string;
  description?: string;
  location?: string;
}

export async function registerGateway(tenantId: string, by: string, input: RegisterInput) {
  await assertDeviceQuota(tenantId);
  const existing = await listGateways(tenantId);
  if (existing.some((g) => g.name.toLowerCase() === input.name.toLowerCase())) {
    throw new Conflict(`body.name: a gateway named '${input.name}' already exists`);
  }
  const id = await nextId(tenantId, gatewayKeys.sequence);
  const thingName = thingNameOf(tenantId, id);
  const registry = await iotRegistry();
  const device = await registry.provision({ tenantId, gatewayId: id, thingName });
  const gateway: Gateway = {
    tenantId,
    id,
    name: input.name,
    description: input.description ?? "",
    location: input.location ?? "",
    thingName,
    thingArn: device.thingArn,
    certificateId: device.certificateId,
    certificateArn: device.certificateArn,
    policyName: device.policyName,
    createdAt: new Date().toISOString(),
    createdBy: by,
  };
  try {
    await putGateway(gateway);
  } catch (e) {
    await registry.deprovision(device);
    throw e;
  }
  // Give the new gateway what the rest of the fleet runs, so it converges on first connect.
  const initial = await writeCurrentDesired(gateway);
  return {
    gateway: await gatewayView(gateway),
    credentials: {
      certificate_id: device.certificateId,
      certificate_pem: device.certificatePem,
      private_key: device.privateKey,
    },
    connection: {
      endpoint: await registry.deviceEndpoint(),
      client_id: thingName,
      thing_name: thingName,
      events_topic: eventsTopic(tenantId, thingName),
      shadows: GATEWAY_SHADOWS.map((s) => ({ name: s, topics: shadowTopicFilter(thingName, s) })),
    },
    initial_sync: initial,
  };
}

/** Writes a gateway's current desired documents (from the table) to both of its shadows. */
async function writeCurrentDesired(gateway: Gateway) {
  const [fw, ssh] = await Promise.all([
    loadSnapshot(firewallSpec, gateway.tenantId),
    loadSnapshot(sshSpec, gateway.tenantId),
  ]);
  const [firewall, sshReport] = await Promise.all([
    pushDesired("firewall", [{ gateway, doc: desiredFor(firewallSpec, fw, gateway.id) }], fw.versionOf(gateway.id)),
    pushDesired("ssh", [{ gateway, doc: desiredFor(sshSpec, ssh, gateway.id) }], ssh.versionOf(gateway.id)),
  ]);
  return { firewall, ssh: sshReport };
}

/**
 * Writes the saved configuration to a gateway's shadows again: after a shadow store was lost (local
 * mode keeps shadows in memory) or a write failed. Idempotent; a newer desired is left alone.
 */
export async function resyncGateway(tenantId: string, gatewayId: number) {
  const g = await getGateway(tenantId, gatewayId, true);
  if (!g) throw new NotFound(`gateway_id: no gateway ${gatewayId}`);
  return writeCurrentDesired(g);
}

/** A tenant's gateway by name (local mode finds its simulated gateway across restarts). */
export async function findGatewayByName(tenantId: string, name: string) {
  const g = (await listGateways(tenantId)).find((x) => x.name.toLowerCase() === name.toLowerCase());
  return g ? { id: g.id, thingName: g.thingName } : undefined;
}

export type GatewayView = Awaited<ReturnType<typeof gatewayView>>;

async function gatewayView(g: Gateway, versions?: { firewall: number; ssh: number }) {
  const sync: Record<string, SyncState> = {};
  await Promise.all(
    GATEWAY_SHADOWS.map(async (name) => {
      try {
        sync[name] = syncState(await getShadow(g.thingName, name), versions?.[name]);
      } catch (error) {
        // One unreadable shadow must not fail the whole fleet listing; it says why instead.
        log.warn("shadow read failed", { thing: g.thingName, shadow: name, error });
        const message = error instanceof Error ? error.message : String(error);
        sync[name] = {
          desired_version: null,
          reported_version: null,
          status: "pending",
          error: `the shadow could not be read: ${message}`,
          reported_at: null,
        };
      }
    }),
  );
  const online = g.lastSeen !== undefined && Date.now() - Date.parse(g.lastSeen) < ONLINE_WINDOW_MS;
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    location: g.location,
    thing_name: g.thingName,
    certificate_id: g.certificateId,
    created: g.createdAt,
    created_by: g.createdBy,
    last_seen: g.lastSeen ?? null,
    status: online ? "online" : "offline",
    metrics: g.lastMetrics ?? null,
    sync,
  };
}

export async function listFleet(tenantId: string) {
  const gateways = await listGateways(tenantId);
  const [fw, ssh] = await Promise.all([
    loadSnapshot(firewallSpec, tenantId, gateways),
    loadSnapshot(sshSpec, tenantId, gateways),
  ]);
  const views = await Promise.all(
    gateways.map((g) => gatewayView(g, { firewall: fw.versionOf(g.id), ssh: ssh.versionOf(g.id) })),
  );
  return { gateways: views, total: views.length };
}

export async function getFleetGateway(tenantId: string, gatewayId: number) {
  const g = await getGateway(tenantId, gatewayId, true);
  if (!g) throw new NotFound(`gateway_id: no gateway ${gatewayId}`);
  const [fw, ssh] = await Promise.all([
    loadSnapshot(firewallSpec, tenantId, [g]),
    loadSnapshot(sshSpec, tenantId, [g]),
  ]);
  return gatewayView(g, { firewall: fw.versionOf(g.id), ssh: ssh.versionOf(g.id) });
}

export async function deregisterGateway(tenantId: string, gatewayId: number) {
  const g = await getGateway(tenantId, gatewayId, true);
  if (!g) throw new NotFound(`gateway_id: no gateway ${gatewayId}`);
  const registry = await iotRegistry();
  // The certificate goes first: from here on the device can no longer connect.
  await registry.deprovision({
    thingName: g.thingName,
    certificateId: g.certificateId,
    certificateArn: g.certificateArn,
    policyName: g.policyName,
  });
  await Promise.all(GATEWAY_SHADOWS.map((s) => deleteShadow(g.thingName, s)));
  await Promise.all([deleteScope(tenantId, "firewall", g.id), deleteScope(tenantId, "ssh", g.id)]);
  await deleteGatewayItem(tenantId, g.id);
  log.info("gateway deregistered", { tenantId, gatewayId: g.id, thing: g.thingName });
  return { id: g.id, name: g.name, thing_name: g.thingName, certificate_id: g.certificateId };
}
