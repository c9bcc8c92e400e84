/**
 * The gateway registry: a tenant's fleet of IoT gateways. Registering one provisions its IoT thing
 * `warden_<tenant>_<id>` (shared/iot/policy.ts thingNameOf) and a certificate bound to the static
 * gateway policy, which lets it touch only its own shadows and event topic (shared/iot/policy.ts),
 * records it, and writes the tenant's current firewall and ssh settings to its shadows so it
 * converges at first connect. The
 * certificate's private key is returned once and never stored. Deregistering undoes all of it.
 * Reads answer `GatewayStatus` (gateway-status.ts), which views.ts writes on the wire.
 */
import { releaseDeviceSlot, reserveDeviceSlot } from "#shared/billing/limits.ts";
import type { FirewallScopeDoc } from "#shared/fleet/db/firewall.ts";
import { deleteScope, headVersion } from "#shared/fleet/db/fleet-config.ts";
import { deleteGatewayItem, type Gateway, getGateway, listGateways, putGateway } from "#shared/fleet/db/gateways.ts";
import { nextGatewayId } from "#shared/fleet/db/sequences.ts";
import type { SshScopeDoc } from "#shared/fleet/db/ssh.ts";
import { deleteSyncOutcomes, gatewaySyncOutcomes, tenantSyncOutcomes } from "#shared/fleet/db/sync-outcomes.ts";
import { eventsTopic, GATEWAY_SHADOWS, shadowTopicFilter, thingNameOf } from "#shared/iot/policy.ts";
import { iotRegistry } from "#shared/iot/registry.ts";
import { deleteShadow } from "#shared/iot/shadows.ts";
import { Conflict, NotFound } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { certificatesSpec } from "./certificates-shadow.ts";
import { type FanOutReceipt, startFanOut } from "./fan-out.ts";
import { firewallSpec } from "./firewall.ts";
import { type GatewayStatus, gatewayStatus } from "./gateway-status.ts";
import { type AreaSnapshot, type DesiredDocument, desiredFor, loadSnapshot, pushDesired } from "./shadow-sync.ts";
import { sshSpec } from "./ssh.ts";
import { type RegistrationReceipt, registrationReceipt } from "./views.ts";

export interface RegisterInput {
  name: string;
  description?: string;
  location?: string;
}

/**
 * Provisions, records and seeds a gateway. The receipt is in the wire shape (views.ts): the route
 * answers it, and local mode and the bench read the certificate and key from it.
 */
export async function registerGateway(
  tenantId: string,
  by: string,
  input: RegisterInput,
): Promise<RegistrationReceipt> {
  const existing = await listGateways(tenantId);
  if (existing.some((g) => g.name.toLowerCase() === input.name.toLowerCase())) {
    throw new Conflict(`body.name: a gateway named '${input.name}' already exists`);
  }
  // The plan's device limit: one atomic place per gateway, given back if the registration fails.
  await reserveDeviceSlot(tenantId, existing.length);
  try {
    return await provisionGateway(tenantId, by, input);
  } catch (e) {
    await releaseDeviceSlot(tenantId);
    throw e;
  }
}

async function provisionGateway(tenantId: string, by: string, input: RegisterInput): Promise<RegistrationReceipt> {
  const id = await nextGatewayId(tenantId);
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
  const initialSync = await writeCurrentDesired(gateway);
  return registrationReceipt({
    status: await gatewayStatus(gateway),
    device,
    connection: {
      endpoint: await registry.deviceEndpoint(),
      clientId: thingName,
      thingName,
      eventsTopic: eventsTopic(tenantId, thingName),
      shadows: GATEWAY_SHADOWS.map((s) => ({ name: s, topics: shadowTopicFilter(thingName, s) })),
    },
    initialSync,
  });
}

/**
 * Writes a gateway's current desired documents (from the table) to its shadows: firewall and ssh
 * always (a new gateway gets the tenant's settings), certificates once the gateway has any.
 */
async function writeCurrentDesired(gateway: Gateway) {
  const [fw, ssh, certs] = await Promise.all([
    loadSnapshot(firewallSpec, gateway.tenantId),
    loadSnapshot(sshSpec, gateway.tenantId),
    loadSnapshot(certificatesSpec, gateway.tenantId, [gateway]),
  ]);
  const certificatesVersion = certs.versionOf(gateway.id);
  const [firewall, sshReport] = await Promise.all([
    pushDesired("firewall", [{ gateway, doc: desiredFor(firewallSpec, fw, gateway.id) }], fw.versionOf(gateway.id)),
    pushDesired("ssh", [{ gateway, doc: desiredFor(sshSpec, ssh, gateway.id) }], ssh.versionOf(gateway.id)),
    certificatesVersion > 0 && certs.overlays.has(gateway.id)
      ? pushDesired(
          "certificates",
          [{ gateway, doc: desiredFor(certificatesSpec, certs, gateway.id) }],
          certificatesVersion,
        )
      : undefined,
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

const RESYNCED = new Set(["failed", "drifted"]);

export interface FleetResync {
  /** The gateways that were failed or drifted on any shadow, in id order. */
  gateways: number[];
  /** Per shadow: the fan-out writing the saved configuration to that shadow's failed/drifted gateways. */
  sync: Record<"firewall" | "ssh" | "certificates", FanOutReceipt>;
}

/**
 * Writes the saved configuration again to every gateway whose shadow is failed or drifted (as GET
 * /gateways shows it), one fan-out per shadow: the same workflow as a change, at the area's head
 * version, so a change saved meanwhile still supersedes it.
 */
export async function resyncFleet(tenantId: string, by: string): Promise<FleetResync> {
  const fleet = await listFleet(tenantId);
  const pick = (shadow: "firewall" | "ssh" | "certificates") =>
    fleet.filter((s) => RESYNCED.has(s.sync[shadow].status)).map((s) => s.gateway.id);
  const targets = { firewall: pick("firewall"), ssh: pick("ssh"), certificates: pick("certificates") };
  const [fwHead, sshHead, certHead] = await Promise.all([
    headVersion(tenantId, "firewall"),
    headVersion(tenantId, "ssh"),
    headVersion(tenantId, "certificates"),
  ]);
  const start = (area: "firewall" | "ssh" | "certificates", configVersion: number) =>
    startFanOut({ tenantId, area, configVersion, targets: { gateways: targets[area] }, by, resync: true });
  const [firewall, ssh, certificates] = await Promise.all([
    start("firewall", fwHead),
    start("ssh", sshHead),
    start("certificates", certHead),
  ]);
  const gateways = [...new Set([...targets.firewall, ...targets.ssh, ...targets.certificates])].sort((a, b) => a - b);
  return { gateways, sync: { firewall, ssh, certificates } };
}

/** A tenant's gateway by name (local mode finds its simulated gateway across restarts). */
export async function findGatewayByName(tenantId: string, name: string) {
  const g = (await listGateways(tenantId)).find((x) => x.name.toLowerCase() === name.toLowerCase());
  return g ? { id: g.id, thingName: g.thingName } : undefined;
}

/**
 * The firewall and SSH documents rendered from the saved configuration: what the gateway runs once
 * the edge cleared `desired` (certificates are left out: their report is an inventory, not a copy).
 */
function savedDocs(
  gatewayId: number,
  fw: AreaSnapshot<FirewallScopeDoc>,
  ssh: AreaSnapshot<SshScopeDoc>,
): Partial<Record<"firewall" | "ssh", DesiredDocument>> {
  return { firewall: desiredFor(firewallSpec, fw, gatewayId), ssh: desiredFor(sshSpec, ssh, gatewayId) };
}

export async function listFleet(tenantId: string): Promise<GatewayStatus[]> {
  const gateways = await listGateways(tenantId);
  const [fw, ssh, certs, writes] = await Promise.all([
    loadSnapshot(firewallSpec, tenantId, gateways),
    loadSnapshot(sshSpec, tenantId, gateways),
    loadSnapshot(certificatesSpec, tenantId, gateways),
    tenantSyncOutcomes(tenantId),
  ]);
  return Promise.all(
    gateways.map((g) =>
      gatewayStatus(
        g,
        { firewall: fw.versionOf(g.id), ssh: ssh.versionOf(g.id), certificates: certs.versionOf(g.id) },
        savedDocs(g.id, fw, ssh),
        writes,
      ),
    ),
  );
}

export async function getFleetGateway(tenantId: string, gatewayId: number): Promise<GatewayStatus> {
  const g = await getGateway(tenantId, gatewayId, true);
  if (!g) throw new NotFound(`gateway_id: no gateway ${gatewayId}`);
  const [fw, ssh, certs, writes] = await Promise.all([
    loadSnapshot(firewallSpec, tenantId, [g]),
    loadSnapshot(sshSpec, tenantId, [g]),
    loadSnapshot(certificatesSpec, tenantId, [g]),
    gatewaySyncOutcomes(tenantId, g.id, GATEWAY_SHADOWS),
  ]);
  return gatewayStatus(
    g,
    { firewall: fw.versionOf(g.id), ssh: ssh.versionOf(g.id), certificates: certs.versionOf(g.id) },
    savedDocs(g.id, fw, ssh),
    writes,
  );
}

/** Undoes a registration; answers the gateway that was removed. */
export async function deregisterGateway(tenantId: string, gatewayId: number): Promise<Gateway> {
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
  await Promise.all([
    deleteScope(tenantId, "firewall", g.id),
    deleteScope(tenantId, "ssh", g.id),
    deleteScope(tenantId, "certificates", g.id),
  ]);
  await deleteSyncOutcomes(tenantId, g.id, GATEWAY_SHADOWS);
  await deleteGatewayItem(tenantId, g.id);
  await releaseDeviceSlot(tenantId);
  log.info("gateway deregistered", { tenantId, gatewayId: g.id, thing: g.thingName });
  return g;
}
