/**
 * The edge's `certificates` shadow, document by document: CSR requests answered with a CSR (key kept
 * here), ACME challenges written to the webroot and announced, slot installations done once per
 * install id (after fetching a delivered key over the keys topic when the slot needs one), each
 * outcome published as `certificate_installed`, reported in the shadow (`installed`), followed by a
 * fresh `certificate_inventory`.
 */
import type { KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  type CertificateEnv,
  csrKeyPath,
  deliveredKeyPath,
  installCertificate,
  makeCsr,
  oneTimeKeyPair,
  openKeyDelivery,
  publicKeyFingerprint,
  readServed,
  syncChallenges,
} from "./certificates.ts";
import {
  CERTIFICATE_SLOTS,
  type CertificateSlot,
  type CertificatesDesired,
  CertificatesDesiredSchema,
  describeIssues,
  type EdgeEvent,
  type InstalledSlot,
  KeyDeliveryMessageSchema,
  REPORTED_LIMITS,
  type ReportedState,
  type SlotDesired,
} from "./contract.ts";
import { writeFileAtomic } from "./files.ts";
import type { Logger } from "./logger.ts";

export interface CertificateAgentDeps {
  env: CertificateEnv;
  ids: { tenant: string; thing: string };
  /** Where challenge files go when the document names no webroot (always, in sandbox mode). */
  defaultWebroot: string;
  /** Sandbox mode: every file stays under the state dir, so the shadow's `webroot_path` is not used. */
  sandbox: boolean;
  publish(event: EdgeEvent): void;
  report(reported: ReportedState): Promise<void>;
  log: Logger;
  now(): Date;
}

export class CertificateAgent {
  /** Request and install ids already handled by this process. */
  private readonly done = new Set<string>();
  private readonly csrs = new Map<string, string>();
  private readonly pendingKeys = new Map<
    string,
    { privateKey: KeyObject; slot: CertificateSlot; desired: SlotDesired }
  >();
  private last: ReportedState | undefined;
  /** The desired config_version last seen: what the report acknowledges. */
  private version = 0;

  constructor(
    private readonly deps: CertificateAgentDeps,
    previous: ReportedState | undefined,
  ) {
    this.last = previous;
  }

  lastReport(): ReportedState | undefined {
    return this.last;
  }

  async onDocument(desired: unknown): Promise<void> {
    if (desired === undefined || desired === null) return;
    const parsed = CertificatesDesiredSchema.safeParse(desired);
    if (!parsed.success) {
      await this.reportState({ error: `desired certificates config is invalid: ${describeIssues(parsed.error)}` });
      return;
    }
    const doc = parsed.data;
    this.version = doc.config_version;
    await this.answerCsrRequests(doc);
    await this.serveChallenges(doc);
    for (const slot of CERTIFICATE_SLOTS) {
      const s = doc.slots[slot];
      if (s?.certificate && !this.done.has(s.install_id) && this.last?.installed?.[slot]?.install_id !== s.install_id) {
        this.done.add(s.install_id);
        await this.installSlot(slot, s);
      }
    }
  }

  /** A message on this gateway's keys topic: the sealed key of a pending delivery. */
  async onKeyMessage(payload: unknown): Promise<void> {
    const parsed = KeyDeliveryMessageSchema.safeParse(payload);
    if (!parsed.success) return;
    const message = parsed.data;
    const pending = this.pendingKeys.get(message.delivery_id);
    if (!pending) return;
    this.pendingKeys.delete(message.delivery_id);
    const { slot, desired } = pending;
    if (message.status === "gone") {
      await this.finish(slot, desired, { ok: false, error: `the key could not be fetched: ${message.error}` });
      return;
    }
    let keyPem: string;
    try {
      keyPem = openKeyDelivery(message, pending.privateKey, this.deps.ids);
    } catch {
      await this.finish(slot, desired, { ok: false, error: "the delivered key could not be opened" });
      return;
    }
    if (desired.key.source === "delivery" && publicKeyFingerprint(keyPem) !== desired.key.key_fingerprint) {
      await this.finish(slot, desired, { ok: false, error: "the delivered key is not the one the shadow names" });
      return;
    }
    await writeFileAtomic(deliveredKeyPath(this.deps.env, message.delivery_id), keyPem, 0o600);
    await this.finish(slot, desired, await installCertificate(slot, desired, keyPem, this.deps.env));
  }

  async publishInventory(): Promise<void> {
    const certificates = [];
    for (const slot of CERTIFICATE_SLOTS) {
      const served = await readServed(this.deps.env.slots[slot]);
      if (!served) continue;
      const at = this.last?.installed?.[slot]?.installed_at;
      certificates.push({
        slot,
        certificate: served.certificate,
        ...(served.chain && { chain: served.chain }),
        ...(at && { installed_at: at }),
      });
    }
    this.deps.publish({
      type: "certificate_inventory",
      timestamp: this.deps.now().toISOString(),
      certificates,
      client_certificates: [],
    });
  }

  private async answerCsrRequests(doc: CertificatesDesired) {
    for (const request of doc.csr_requests ?? []) {
      if (this.done.has(request.request_id)) continue;
      this.done.add(request.request_id);
      try {
        const csr = this.csrs.get(request.request_id) ?? (await makeCsr(request, this.deps.env));
        this.csrs.set(request.request_id, csr);
        this.deps.publish({
          type: "certificate_csr",
          timestamp: this.deps.now().toISOString(),
          request_id: request.request_id,
          slot: request.slot,
          csr,
        });
      } catch (e) {
        this.deps.log("warn", "csr failed", { request_id: request.request_id, error: String(e) });
      }
    }
  }

  private async serveChallenges(doc: CertificatesDesired) {
    const challenges = doc.acme_challenges ?? [];
    const webroot = this.deps.sandbox ? this.deps.defaultWebroot : (doc.webroot_path ?? this.deps.defaultWebroot);
    await syncChallenges(webroot, challenges);
    const byRequest = new Map<string, string[]>();
    for (const c of challenges) byRequest.set(c.request_id, [...(byRequest.get(c.request_id) ?? []), c.token]);
    for (const [request, tokens] of byRequest) {
      const key = `challenge:${request}:${tokens.join(",")}`;
      if (this.done.has(key)) continue;
      this.done.add(key);
      this.deps.publish({
        type: "acme_challenge_ready",
        timestamp: this.deps.now().toISOString(),
        request_id: request,
        tokens,
      });
    }
  }

  private async installSlot(slot: CertificateSlot, desired: SlotDesired) {
    const { key } = desired;
    if (key.source === "csr") {
      const keyPem = await readFile(csrKeyPath(this.deps.env, key.request_id), "utf8").catch(() => undefined);
      if (!keyPem) {
        await this.finish(slot, desired, { ok: false, error: `no key on this gateway for request ${key.request_id}` });
        return;
      }
      await this.finish(slot, desired, await installCertificate(slot, desired, keyPem, this.deps.env));
      return;
    }
    const kept = await readFile(deliveredKeyPath(this.deps.env, key.delivery_id), "utf8").catch(() => undefined);
    if (kept) {
      await this.finish(slot, desired, await installCertificate(slot, desired, kept, this.deps.env));
      return;
    }
    const pair = oneTimeKeyPair();
    this.pendingKeys.set(key.delivery_id, { privateKey: pair.privateKey, slot, desired });
    this.deps.publish({
      type: "key_request",
      timestamp: this.deps.now().toISOString(),
      delivery_id: key.delivery_id,
      public_key: pair.publicKey,
    });
  }

  private async finish(
    slot: CertificateSlot,
    desired: SlotDesired,
    outcome: { ok: true; fingerprint: string; servicesReloaded: string[] } | { ok: false; error: string },
  ) {
    const now = this.deps.now().toISOString();
    this.deps.log(outcome.ok ? "info" : "warn", "certificate install", {
      slot,
      install_id: desired.install_id,
      ...outcome,
    });
    this.deps.publish({
      type: "certificate_installed",
      timestamp: now,
      install_id: desired.install_id,
      slot,
      status: outcome.ok ? "installed" : "failed",
      ...(outcome.ok ? { fingerprint: outcome.fingerprint } : { error: outcome.error.slice(0, 1000) }),
      services_reloaded: outcome.ok ? outcome.servicesReloaded : [],
    });
    if (outcome.ok) {
      const installed: InstalledSlot = {
        fingerprint: outcome.fingerprint,
        install_id: desired.install_id,
        installed_at: now,
      };
      await this.reportState({ installed: { ...this.last?.installed, [slot]: installed } });
      await this.publishInventory();
    } else {
      await this.reportState({ error: `${slot}: ${outcome.error}` });
    }
  }

  private async reportState(change: { error?: string; installed?: ReportedState["installed"] }) {
    const now = this.deps.now().toISOString();
    const error = change.error === undefined ? null : change.error.slice(0, REPORTED_LIMITS.errorChars);
    const next: ReportedState = {
      config_version: this.version,
      status: error ? "failed" : "applied",
      error,
      failed_version: null,
      applied_at: error ? (this.last?.applied_at ?? null) : now,
      updated_at: now,
      installed: change.installed ?? this.last?.installed ?? null,
    };
    this.last = next;
    await this.deps.report(next);
  }
}
