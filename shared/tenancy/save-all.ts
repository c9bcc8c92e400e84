/**
 * Save All Security Settings: one request carrying sections of several settings areas, each saved
 * by that area's own domain function (the same path as its own route), so validation, storage,
 * notifications and shadow sync never fork.
 *
 * The areas live in different items (and the firewall and SSH areas also in device shadows), so
 * the sections cannot share one transaction. What can be checked before writing is checked for
 * every section first (field validation happens in the handler's schema; the authentication
 * policy's cross-field rules and SSH's login method / password authentication agreement are
 * checked here against the stored settings). The sections
 * whose save can still refuse late (the shadow areas: 8 KB budget, gateway contract, firewall
 * burst size against the stored rate) are applied first, then authentication, then audit, so a
 * late refusal leaves as little as possible saved. A section already saved stays saved when a
 * later one is refused (409 from a concurrent change, for instance).
 */
import { setAuditRetention } from "#shared/audit/retention.ts";
import { certificateGateway } from "#shared/certificates/certificates.ts";
import type { CertificateSettingsSection } from "#shared/certificates/schemas.ts";
import { checkCertificateSettings, updateCertificateSettings } from "#shared/certificates/settings.ts";
import { updateSettings as updateFirewallSettings } from "#shared/fleet/firewall.ts";
import type { FirewallSettingsPatch, SshSettingsPatch } from "#shared/fleet/schemas.ts";
import { loadSnapshot } from "#shared/fleet/shadow-sync.ts";
import { reconcileLoginMethod, sshSettingsOf, sshSpec, updateSshSettings } from "#shared/fleet/ssh.ts";
import { type AuthPolicyPatch, checkAuthSettings, updateAuthSettings } from "#shared/identity/auth-policy.ts";
import { Invalid, NotFound } from "#shared/kit/errors.ts";

export type Changes = Record<string, { old: unknown; new: unknown }>;

export interface SaveAllInput {
  authentication?: AuthPolicyPatch;
  firewall?: FirewallSettingsPatch;
  ssh?: SshSettingsPatch;
  audit?: { retention_days?: number };
  certificates?: CertificateSettingsSection;
}

type Section = keyof SaveAllInput;

export interface SaveAllResult {
  changes: Partial<Record<Section, Changes>>;
  restartRequired: boolean;
  affectedServices: string[];
  /** Users affected by the authentication change (as POST /authentication/update reports them). */
  affectedUsers: number;
}

/**
 * The areas name fields relative to their own route's body (`body.port`); here that body is one
 * section of the request, so a refusal is re-addressed to `body.<section>.<field>`.
 */
async function within<T>(section: Section, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    const readdress = (loc: (string | number)[]) => (loc[0] === "body" ? ["body", section, ...loc.slice(1)] : loc);
    throw new Invalid(
      e.message.replace(/^body\b/, `body.${section}`),
      e.issues?.map((i) => ({ ...i, loc: readdress(i.loc) })),
    );
  }
}

/** The certificates area names its fields bare (`acme_server: …`, `gateway_id: …`): re-addressed to the section. */
async function withinCertificates<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Invalid) throw new Invalid(`body.certificates.${e.message}`, e.issues);
    if (e instanceof NotFound) throw new NotFound(`body.certificates.${e.message}`);
    throw e;
  }
}

export async function saveAllSettings(actor: { tenantId: string; by: string }, input: SaveAllInput) {
  const { tenantId, by } = actor;

  // Checks that need the stored state, before anything is written.
  if (input.authentication) {
    const patch = input.authentication;
    await within("authentication", () => checkAuthSettings(tenantId, patch));
  }
  // Certificates: the gateway is resolved and the fields checked before anything is written.
  const certificates = input.certificates;
  const certificateGatewayId = certificates
    ? await withinCertificates(async () => {
        const { gateway_id, ...patch } = certificates;
        checkCertificateSettings(patch);
        return (await certificateGateway(tenantId, gateway_id, "gateway_id")).id;
      })
    : undefined;
  if (input.ssh) {
    const snap = await loadSnapshot(sshSpec, tenantId);
    const patch = input.ssh;
    await within("ssh", () => reconcileLoginMethod(sshSettingsOf(snap.tenantDoc, undefined), patch));
  }

  const out: SaveAllResult = { changes: {}, restartRequired: false, affectedServices: [], affectedUsers: 0 };
  const record = (section: Section, changes: Changes) => {
    if (Object.keys(changes).length > 0) out.changes[section] = changes;
  };

  if (input.firewall) {
    const patch = input.firewall;
    const r = await within("firewall", () => updateFirewallSettings({ tenantId, by }, patch));
    record("firewall", r.changes);
    if (Object.keys(r.changes).length > 0) out.affectedServices.push("firewall");
    out.restartRequired ||= r.restart_required;
  }
  if (input.ssh) {
    const patch = input.ssh;
    const r = await within("ssh", () => updateSshSettings({ tenantId, by }, patch));
    record("ssh", r.changes);
    // sshd only needs attention (a service event) when a change makes it restart; the rest is a reload.
    if (r.restart_required) out.affectedServices.push("ssh");
    out.restartRequired ||= r.restart_required;
  }
  if (input.authentication) {
    const patch = input.authentication;
    const r = await within("authentication", () => updateAuthSettings(tenantId, patch));
    record("authentication", r.changes);
    out.affectedUsers = r.affectedUsers;
  }
  if (certificates && certificateGatewayId !== undefined) {
    const { gateway_id: _, ...patch } = certificates;
    const r = await withinCertificates(() => updateCertificateSettings(tenantId, certificateGatewayId, patch));
    record("certificates", r.changes);
  }
  if (input.audit?.retention_days !== undefined) {
    const change = await setAuditRetention(tenantId, input.audit.retention_days);
    if (change) record("audit", { retention_days: change });
  }
  return out;
}
