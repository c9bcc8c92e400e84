/**
 * The tenant's outgoing webhook: configuration, its signing secret (envelope-encrypted, shown
 * once), rotation with a grace period, and delivery of audit events.
 *
 * Signature format (documented for receivers):
 *   X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=<…>]
 * One `v1` per valid secret: during a rotation's grace period deliveries carry a signature with
 * the new secret and one with the old, so a receiver still holding the old secret keeps working.
 * Receivers should compare in constant time and refuse timestamps older than a few minutes.
 *
 * Server-side request forgery: a destination must be https and every address its host resolves
 * to must be public. The check runs when the URL is saved and again inside the connection's own
 * DNS lookup at delivery time, so the address connected to is the address checked (a DNS rebind
 * between check and connect cannot slip through). Redirects are not followed. Local mode and tests
 * may allow private addresses and plain http, explicitly (`allowPrivate`).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";
import type { AuditRecord } from "#shared/audit/db/trail.ts";
import { decryptSecret, encryptSecret } from "#shared/crypto/envelope.ts";
import { Invalid } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { getSettings, saveSettings, WEBHOOK_EVENTS, type WebhookSettings } from "#shared/tenancy/db/tenant-settings.ts";

export const SIGNATURE_HEADER = "X-Webhook-Signature";
export const SIGNATURE_FORMAT = 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">';
/** How long the previous secret keeps signing after a rotation with `invalidate_old: false`. */
export const ROTATION_GRACE_MS = 24 * 3_600_000;

export interface DestinationOptions {
  /** Allow private, loopback, link-local and unique-local destinations and plain http. */
  allowPrivate: boolean;
}

// --- Secrets ---------------------------------------------------------------------------------

export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString("hex")}`;
export const secretHint = (secret: string): string => secret.slice(-4);
/** How a secret is shown after the response that created it: prefix and last four characters. */
export const maskSecret = (hint: string | null): string | null => (hint === null ? null : `whsec_…${hint}`);

// --- Signatures ------------------------------------------------------------------------------

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${signWebhook(s, timestamp, body)}`)].join(",");
}

/** What a receiver does: true when one `v1` matches `secret` and the timestamp is recent. */
export function verifyWebhookSignature(
  header: string,
  body: string,
  secret: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const parts = header.split(",").map((p) => p.trim().split("="));
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(t)) return false;
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, t, body), "hex");
  return parts
    .filter(([k, v]) => k === "v1" && v !== undefined && /^[0-9a-f]{64}$/.test(v))
    .some(([, v]) => timingSafeEqual(Buffer.from(v ?? "", "hex"), expected));
}

// --- Destinations ----------------------------------------------------------------------------

const NON_PUBLIC = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  NON_PUBLIC.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  NON_PUBLIC.addSubnet(net, bits, "ipv6");
}

/** True for private, loopback, link-local, unique-local, multicast and reserved addresses. */
export function isNonPublicAddress(address: string): boolean {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  if (mapped) return isNonPublicAddress(mapped);
  const family = isIP(address);
  if (family === 0) return true;
  return NON_PUBLIC.check(address, family === 4 ? "ipv4" : "ipv6");
}

export class DestinationRefused extends Error {}

/** Resolves a host (or takes an address literal) and refuses it unless every address is allowed. */
export async function resolveDestination(host: string, opts: DestinationOptions): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  let addresses: LookupAddress[];
  if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
  else {
    try {
      addresses = await dnsLookup(bare, { all: true, verbatim: true });
    } catch {
      throw new DestinationRefused(`host '${bare}' does not resolve`);
    }
  }
  if (addresses.length === 0) throw new DestinationRefused(`host '${bare}' does not resolve`);
  const blocked = addresses.find((a) => isNonPublicAddress(a.address));
  if (blocked && !opts.allowPrivate) {
    throw new DestinationRefused(`host '${bare}' resolves to non-public address ${blocked.address}`);
  }
  return addresses;
}

/** Checks a URL before it is saved; a problem is a 400 naming `body.url`. */
export async function assertWebhookUrl(raw: string, opts: DestinationOptions): Promise<URL> {
  const refuse = (msg: string): never => {
    throw new Invalid(`body.url: ${msg}`, [{ loc: ["body", "url"], msg, type: "value_error" }]);
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("not a URL");
  }
  if (url.protocol !== "https:" && !(opts.allowPrivate && url.protocol === "http:")) refuse("must use https");
  if (url.username || url.password) refuse("must not carry credentials");
  try {
    await resolveDestination(url.hostname, opts);
  } catch (e) {
    if (e instanceof DestinationRefused) refuse(e.message);
    throw e;
  }
  return url;
}

// --- Configuration ---------------------------------------------------------------------------

export function webhookView(s: WebhookSettings) {
  return {
    // The secret is shown in full once, when created or rotated; afterwards only masked.
    secret: maskSecret(s.secretHint),
    url: s.url,
    enabled: s.enabled,
    events: s.events,
    retry_count: s.retryCount,
    timeout_seconds: s.timeoutSeconds,
    signature_header: SIGNATURE_HEADER,
    signature_format: SIGNATURE_FORMAT,
  };
}

export async function getWebhook(tenantId: string): Promise<WebhookSettings> {
  return getSettings(tenantId, "webhook");
}

export interface WebhookInput {
  url?: string;
  enabled?: boolean;
  events?: string[];
  retryCount?: number;
  timeoutSeconds?: number;
}

/**
 * Sets the webhook. The first configuration creates the signing secret and returns it (the only
 * time it is returned); later calls return `secret: null`.
 */
export async function configureWebhook(
  tenantId: string,
  input: WebhookInput,
  opts: DestinationOptions,
): Promise<{
  settings: WebhookSettings;
  secret: string | null;
  changes: Record<string, { old: unknown; new: unknown }>;
}> {
  const current = await getSettings(tenantId, "webhook", true);
  if (input.url !== undefined) await assertWebhookUrl(input.url, opts);
  const next: Partial<WebhookSettings> = {};
  if (input.url !== undefined) next.url = input.url;
  if (input.enabled !== undefined) next.enabled = input.enabled;
  if (input.events !== undefined) next.events = [...new Set(input.events)];
  if (input.retryCount !== undefined) next.retryCount = input.retryCount;
  if (input.timeoutSeconds !== undefined) next.timeoutSeconds = input.timeoutSeconds;
  if ((next.enabled ?? current.enabled) && !(next.url ?? current.url)) {
    throw new Invalid("body.url: required to enable the webhook", [
      { loc: ["body", "url"], msg: "required to enable the webhook", type: "value_error.missing" },
    ]);
  }
  let secret: string | null = null;
  if (current.secret === null) {
    secret = newWebhookSecret();
    next.secret = await encryptSecret(tenantId, secret);
    next.secretHint = secretHint(secret);
    next.secretCreatedAt = new Date().toISOString();
  }
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  const show: Record<string, keyof WebhookSettings> = {
    url: "url",
    enabled: "enabled",
    events: "events",
    retry_count: "retryCount",
    timeout_seconds: "timeoutSeconds",
  };
  for (const [name, field] of Object.entries(show)) {
    if (next[field] !== undefined && JSON.stringify(next[field]) !== JSON.stringify(current[field])) {
      changes[name] = { old: current[field], new: next[field] };
    }
  }
  await saveSettings(tenantId, "webhook", current, next);
  return { settings: { ...current, ...next }, secret, changes };
}

export interface RotationResult {
  newSecret: string;
  oldSecretMasked: string | null;
  /** When the old secret stops signing: now, or after the grace period. */
  invalidationTime: string;
  webhooksNotified: boolean;
}

/**
 * Replaces the signing secret. With `invalidateOld: false` the old secret keeps co-signing
 * deliveries for 24 hours. With `notify`, the configured endpoint gets a `webhook_secret_rotated`
 * event (one attempt) signed with the new and the old secret; the secret itself is never sent.
 */
export async function regenerateWebhookSecret(
  tenantId: string,
  input: { invalidateOld: boolean; notify: boolean; reason?: string },
  opts: DestinationOptions & { now?: Date },
): Promise<RotationResult> {
  const now = opts.now ?? new Date();
  const current = await getSettings(tenantId, "webhook", true);
  const newSecret = newWebhookSecret();
  const invalidation =
    input.invalidateOld || current.secret === null ? now : new Date(now.getTime() + ROTATION_GRACE_MS);
  const keepOld = !input.invalidateOld && current.secret !== null;
  await saveSettings(tenantId, "webhook", current, {
    secret: await encryptSecret(tenantId, newSecret),
    secretHint: secretHint(newSecret),
    secretCreatedAt: now.toISOString(),
    previousSecret: keepOld ? current.secret : null,
    previousSecretHint: keepOld ? current.secretHint : null,
    previousValidUntil: keepOld ? invalidation.toISOString() : null,
  });
  let notified = false;
  if (input.notify && current.enabled && current.url) {
    const oldSecret = current.secret ? await decryptSecret(tenantId, current.secret) : null;
    const result = await deliverWebhook(
      {
        url: current.url,
        secrets: oldSecret ? [newSecret, oldSecret] : [newSecret],
        retryCount: 0,
        timeoutSeconds: Math.min(current.timeoutSeconds, 5),
      },
      {
        id: `evt_${randomUUID()}`,
        type: "webhook_secret_rotated",
        created: now.toISOString(),
        data: {
          invalidate_old: input.invalidateOld,
          invalidation_time: invalidation.toISOString(),
          reason: input.reason ?? null,
        },
      },
      opts,
    );
    notified = result.delivered;
  }
  return {
    newSecret,
    oldSecretMasked: maskSecret(current.secretHint),
    invalidationTime: invalidation.toISOString(),
    webhooksNotified: notified,
  };
}

// --- Delivery --------------------------------------------------------------------------------

export interface WebhookTarget {
  url: string;
  /** Current secret first; the previous one too while its grace period lasts. */
  secrets: string[];
  retryCount: number;
  timeoutSeconds: number;
}

export interface WebhookEventBody {
  id: string;
  type: string;
  created: string;
  data: Record<string, unknown>;
}

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup for the connection itself: resolves, checks every address, then connects to a checked one. */
function guardedLookup(opts: DestinationOptions) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    resolveDestination(hostname, opts).then(
      (addresses) => {
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]?.address ?? "", addresses[0]?.family ?? 4);
      },
      (e: Error) => callback(e, ""),
    );
  };
}

function postOnce(
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  opts: DestinationOptions,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: "POST",
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
        lookup: guardedLookup(opts) as never,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * POSTs one event with retries: up to `retryCount` more attempts after the first, with
 * exponential backoff (`backoffMs`, doubling), each attempt bounded by `timeoutSeconds`.
 * A refused destination is not retried; neither is a 4xx other than 408/429.
 */
export async function deliverWebhook(
  target: WebhookTarget,
  event: WebhookEventBody,
  opts: DestinationOptions & { backoffMs?: number },
): Promise<DeliveryResult> {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return { delivered: false, attempts: 0, error: "invalid url" };
  }
  if (url.protocol !== "https:" && !(opts.allowPrivate && url.protocol === "http:")) {
    return { delivered: false, attempts: 0, error: "destination refused: must use https" };
  }
  // Node connects to an address literal without calling `lookup`, so literals are checked here.
  const literal = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(literal)) {
    try {
      await resolveDestination(literal, opts);
    } catch (e) {
      if (e instanceof DestinationRefused)
        return { delivered: false, attempts: 1, error: `destination refused: ${e.message}` };
      throw e;
    }
  }
  const body = JSON.stringify(event);
  const backoff = opts.backoffMs ?? 1000;
  let last: DeliveryResult = { delivered: false, attempts: 0 };
  for (let attempt = 1; attempt <= 1 + target.retryCount; attempt++) {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": "Warden-Webhooks/1",
      "X-Webhook-Id": event.id,
      "X-Webhook-Event": event.type,
      "X-Webhook-Timestamp": String(timestamp),
      [SIGNATURE_HEADER]: signatureHeader(target.secrets, timestamp, body),
    };
    try {
      const status = await postOnce(url, body, headers, target.timeoutSeconds * 1000, opts);
      if (status >= 200 && status < 300) return { delivered: true, attempts: attempt, status };
      last = { delivered: false, attempts: attempt, status, error: `HTTP ${status}` };
      if (!retryable(status)) return last;
    } catch (e) {
      if (e instanceof DestinationRefused)
        return { delivered: false, attempts: attempt, error: `destination refused: ${e.message}` };
      // The only abort signal is the attempt's timeout.
      const timedOut = ["TimeoutError", "AbortError"].includes((e as Error).name);
      last = { delivered: false, attempts: attempt, error: timedOut ? "timeout" : (e as Error).message };
    }
    if (attempt <= target.retryCount) await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 1)));
  }
  return last;
}

/** The secrets that sign a tenant's deliveries now: current, plus the previous during its grace period. */
async function signingSecrets(tenantId: string, s: WebhookSettings, now: number): Promise<string[]> {
  if (!s.secret) return [];
  const out = [await decryptSecret(tenantId, s.secret)];
  if (s.previousSecret && s.previousValidUntil && new Date(s.previousValidUntil).getTime() > now) {
    out.push(await decryptSecret(tenantId, s.previousSecret));
  }
  return out;
}

export function auditEventBody(record: AuditRecord): WebhookEventBody {
  return {
    id: `evt_${record.id}_${record.hash.slice(0, 12)}`,
    type: record.event_type,
    created: record.timestamp,
    data: {
      audit_id: record.id,
      event: record.event,
      user: record.user,
      user_id: record.user_id,
      resource: record.resource,
      ip_address: record.ip_address,
      status: record.status,
      severity: record.severity,
      details: record.details,
    },
  };
}

export interface DispatchOutcome {
  tenantId: string;
  auditId: string;
  type: string;
  result: DeliveryResult;
}

/**
 * Delivers the audit records a tenant's webhook subscribes to (event types in WEBHOOK_EVENTS that
 * the tenant selected), in order, one tenant's settings read once per batch.
 */
export async function dispatchWebhooksForAuditRecords(
  records: { tenantId: string; record: AuditRecord }[],
  opts: DestinationOptions & { backoffMs?: number },
): Promise<DispatchOutcome[]> {
  const byTenant = new Map<string, AuditRecord[]>();
  for (const { tenantId, record } of records) {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(record.event_type)) continue;
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), record]);
  }
  const outcomes: DispatchOutcome[] = [];
  for (const [tenantId, tenantRecords] of byTenant) {
    const settings = await getWebhook(tenantId);
    if (!settings.enabled || !settings.url || !settings.secret) continue;
    const wanted = tenantRecords.filter((r) => settings.events.includes(r.event_type));
    if (wanted.length === 0) continue;
    const secrets = await signingSecrets(tenantId, settings, Date.now());
    for (const record of wanted) {
      const result = await deliverWebhook(
        { url: settings.url, secrets, retryCount: settings.retryCount, timeoutSeconds: settings.timeoutSeconds },
        auditEventBody(record),
        opts,
      );
      if (!result.delivered) {
        log.warn("webhook delivery failed", {
          tenantId,
          auditId: record.id,
          attempts: result.attempts,
          error: result.error,
        });
      }
      outcomes.push({ tenantId, auditId: record.id, type: record.event_type, result });
    }
  }
  return outcomes;
}
