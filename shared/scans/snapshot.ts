/**
 * What a scan judges, read fresh for each component from the areas that own it: the tenant's
 * authentication policy, users and API keys (identity); the firewall and SSH configuration in
 * effect on each gateway and what each gateway's shadows report — sync state, listening ports,
 * rule counters, live-file drift, weak keys found on it (fleet + the edge's reports); and the
 * certificates each gateway reported serving (certificates).
 *
 * One Query per area plus two shadow reads per gateway (firewall, ssh) — gateways are read with
 * bounded concurrency so a large fleet neither serialises nor floods the data plane.
 */
import { ReportedStateSchema } from "#edge/contract.ts";
import { certificatesStatus, type SlotStatus } from "#shared/certificates/certificates.ts";
import { effectiveFirewall, firewallSpec } from "#shared/fleet/firewall.ts";
import { loadSnapshot, type SyncState, syncState } from "#shared/fleet/shadow-sync.ts";
import { effectiveSsh, sshSpec } from "#shared/fleet/ssh.ts";
import { listApiKeys } from "#shared/identity/api-keys.ts";
import { getAuthPolicy } from "#shared/identity/auth-policy.ts";
import { listUserSummaries } from "#shared/identity/users.ts";
import { getShadow, type Shadow } from "#shared/iot/shadows.ts";
import type {
  AuthSnapshot,
  CertificateSlotView,
  CertificatesSnapshot,
  Component,
  FirewallGateway,
  FirewallSnapshot,
  GatewayReport,
  Snapshots,
  SshSnapshot,
} from "./checks.ts";

const GATEWAY_CONCURRENCY = 16;

async function mapLimited<T, R>(xs: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(xs.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, xs.length) }, async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

export async function authSnapshot(tenantId: string): Promise<AuthSnapshot> {
  const [policy, listing, keys] = await Promise.all([
    getAuthPolicy(tenantId, true),
    listUserSummaries(tenantId, { limit: 100_000 }),
    listApiKeys(tenantId),
  ]);
  return {
    policy,
    users: listing.users.map(({ user, status }) => ({
      username: user.username,
      role: user.role,
      admin: user.role === "admin" || user.permissions.includes("*"),
      twoFactorEnabled: user.twoFactorEnabled,
      status,
      lastLogin: user.lastLogin,
      createdAt: user.createdAt,
    })),
    apiKeys: keys.map((k) => ({ name: k.name, status: k.status, expiresAt: k.expiresAt, scopes: k.scopes })),
  };
}

const NO_REPORT: GatewayReport = { listening: null, unusedRules: null, drift: null, weakKeys: null };

/** The posture fields of a shadow's report (edge contract), or nothing when it has none or breaks the contract. */
export function reportOf(shadow: Shadow | undefined): GatewayReport {
  const parsed = ReportedStateSchema.safeParse(shadow?.reported ?? {});
  if (!parsed.success) return NO_REPORT;
  const r = parsed.data;
  return {
    listening: r.listening ?? null,
    unusedRules: r.unused_rules ?? null,
    drift: r.drift ?? null,
    weakKeys: r.weak_keys ?? null,
  };
}

const syncView = (s: SyncState) => ({ status: s.status, error: s.error });

async function readShadow(thingName: string, name: string): Promise<Shadow | undefined> {
  try {
    return await getShadow(thingName, name);
  } catch {
    // An unreadable shadow is judged as "nothing reported" (rules_applied shows it pending).
    return undefined;
  }
}

/** The firewall and SSH in effect per gateway, with what the gateways report; the network checks read the same. */
export async function fleetSnapshot(
  tenantId: string,
  now = new Date(),
): Promise<{ firewall: FirewallSnapshot; ssh: SshSnapshot }> {
  const fw = await loadSnapshot(firewallSpec, tenantId);
  const ssh = await loadSnapshot(sshSpec, tenantId, fw.gateways);
  const tenantView = effectiveFirewall(fw.tenantDoc, undefined, now);
  const rows = await mapLimited(fw.gateways, GATEWAY_CONCURRENCY, async (g) => {
    const [fwShadow, sshShadow] = await Promise.all([
      readShadow(g.thingName, "firewall"),
      readShadow(g.thingName, "ssh"),
    ]);
    const view = effectiveFirewall(fw.tenantDoc, fw.overlays.get(g.id), now);
    const sshView = effectiveSsh(ssh.tenantDoc, ssh.overlays.get(g.id), now);
    const firewallGateway: FirewallGateway = {
      id: g.id,
      name: g.name,
      enabled: view.settings.enabled,
      defaultPolicy: view.settings.default_policy,
      rules: view.rules
        .filter((r) => r.enabled)
        .map((r) => ({
          id: r.id,
          name: r.name,
          chain: r.chain,
          action: r.action,
          protocol: r.protocol,
          ...(r.port !== undefined ? { port: r.port } : {}),
        })),
      sync: {
        firewall: syncView(syncState(fwShadow, fw.versionOf(g.id))),
        ssh: syncView(syncState(sshShadow, ssh.versionOf(g.id))),
      },
      firewallReport: reportOf(fwShadow),
      sshReport: reportOf(sshShadow),
      sshPort: sshView.settings.port,
    };
    return {
      firewallGateway,
      sshGateway: {
        id: g.id,
        name: g.name,
        enabled: sshView.settings.enabled,
        passwordAuthentication: sshView.settings.password_authentication,
        loginMethod: sshView.settings.login_method,
        sessionTimeout: sshView.settings.session_timeout,
        keys: sshView.keys.map((k) => ({
          username: k.username,
          type: k.type,
          size: k.size,
          fingerprint: k.fingerprint,
          added: k.added,
        })),
        report: firewallGateway.sshReport,
      },
    };
  });
  return {
    firewall: {
      enabled: tenantView.settings.enabled,
      defaultPolicy: tenantView.settings.default_policy,
      activeRules: tenantView.rules.filter((r) => r.enabled).length,
      gateways: rows.map((r) => r.firewallGateway),
    },
    ssh: { gateways: rows.map((r) => r.sshGateway) },
  };
}

function slotView(s: SlotStatus): CertificateSlotView {
  const info = s.info;
  const cn = info ? /CN=([^,]+)/.exec(info.subject)?.[1]?.trim() : undefined;
  return {
    present: s.present,
    state: s.status,
    daysRemaining: s.daysRemaining,
    // CertificateInfo carries the key's size, not its algorithm: RSA keys are ≥ 1024 bits, EC ≤ 521.
    keyAlgorithm: info ? (info.keySize > 521 ? "RSA" : "EC") : null,
    keySize: info?.keySize ?? null,
    signatureAlgorithm: info?.algorithm ?? null,
    selfSigned: info?.selfSigned ?? false,
    names: [...new Set([...(cn ? [cn] : []), ...(info?.san ?? [])])],
  };
}

export async function certificatesSnapshot(tenantId: string, now = new Date()): Promise<CertificatesSnapshot> {
  const fw = await loadSnapshot(firewallSpec, tenantId);
  const gateways = await mapLimited(fw.gateways, GATEWAY_CONCURRENCY, async (g) => {
    const st = await certificatesStatus(tenantId, g.id, now);
    return { id: g.id, name: g.name, https: slotView(st.https), mqtt: slotView(st.mqtt) };
  });
  return { gateways };
}

/** The snapshot one component's checks read. */
export async function snapshotFor<C extends Component>(
  component: C,
  tenantId: string,
  now = new Date(),
): Promise<Snapshots[C]> {
  switch (component) {
    case "authentication":
      return (await authSnapshot(tenantId)) as Snapshots[C];
    case "certificates":
      return (await certificatesSnapshot(tenantId, now)) as Snapshots[C];
    case "ssh":
      return (await fleetSnapshot(tenantId, now)).ssh as Snapshots[C];
    default:
      return (await fleetSnapshot(tenantId, now)).firewall as Snapshots[C];
  }
}
