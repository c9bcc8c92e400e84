/**
 * Who may open a stream. The same credentials as the HTTP API, resolved by the same code
 * (shared/identity `authenticate`: token signature and expiry, revocation, account lock, system
 * lock, API-key status/expiry/IP restrictions/plan): a WebSocket cannot send headers from a
 * browser, so the token (or API key) also comes as `?token=` or as the second entry of
 * `Sec-WebSocket-Protocol: warden, <token>`. A suspended organisation is refused, and the stream's
 * permission is checked against the caller's role and, for a key, its scopes.
 */
import { hasPermission } from "#shared/auth/permissions.ts";
import { authenticate, type Credentials, readCredentials } from "#shared/identity/authenticate.ts";
import { Forbidden, Unauthorized } from "#shared/kit/errors.ts";
import { STREAMS, type StreamDef, type StreamName, SUBPROTOCOL } from "./streams.ts";

export interface ConnectRequest {
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  ip: string;
}

/** What the authorizer hands to `$connect` (API Gateway's authorizer context: flat strings and numbers). */
export interface ConnectionContext {
  tenantId: string;
  userId: number;
  username: string;
  /** The API key's display id when the caller used one, else "". */
  apiKeyId: string;
  /** Notifications socket: the caller's e-mail and phone, comma-separated. */
  recipients: string;
  /** The streams this caller may open (role and key scopes), comma-separated: `$connect` checks its own. */
  streams: string;
}

/** The token a WebSocket client sent, from the places a browser can put one. */
export function connectCredentials(req: ConnectRequest): Credentials {
  const lower = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const offered = (lower["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p && p !== SUBPROTOCOL);
  const token = req.query.token ?? offered[0];
  if (token) return token.startsWith("sk_") ? { apiKey: token } : { bearer: token };
  return readCredentials(lower);
}

/** True when the client offered the `warden` subprotocol (the answer must then select it). */
export const offersSubprotocol = (headers: Record<string, string | undefined>): boolean =>
  Object.entries(headers).some(
    ([k, v]) =>
      k.toLowerCase() === "sec-websocket-protocol" && (v ?? "").split(",").some((p) => p.trim() === SUBPROTOCOL),
  );

const permits = (held: readonly string[], scopes: readonly string[] | undefined, s: StreamDef) =>
  hasPermission(held, s.permission) && (scopes === undefined || hasPermission(scopes, s.permission));

/**
 * The authorizer's decision: who the caller is and which streams they may open. Throws
 * Unauthorized (no or bad credentials, revoked, locked) or Forbidden (suspended organisation, a
 * stream named and not permitted, or no stream at all).
 */
export async function authorizeConnection(req: ConnectRequest, stream?: StreamDef): Promise<ConnectionContext> {
  const creds = connectCredentials(req);
  if (!creds.apiKey && !creds.bearer) {
    throw new Unauthorized(
      "Not authenticated: send ?token=<token or API key> or Sec-WebSocket-Protocol: warden, <token>",
    );
  }
  const principal = await authenticate(creds, { ip: req.ip, allowDuringSystemLock: false });
  if (principal.tenant?.status === "suspended") throw new Forbidden("Organization is suspended");
  const scopes = principal.apiKey?.scopes;
  const streams = Object.values(STREAMS).filter((s) => permits(principal.permissions, scopes, s));
  if (stream && !streams.includes(stream)) throw new Forbidden(streamRefusal(stream, !!principal.apiKey));
  if (streams.length === 0) throw new Forbidden("Insufficient permissions: no stream is open to this caller");
  const recipients = [principal.user.email, principal.user.phone].filter((r): r is string => !!r);
  return {
    tenantId: principal.tenantId,
    userId: principal.userId,
    username: principal.username,
    apiKeyId: principal.apiKey?.prefix ?? "",
    recipients: recipients.join(","),
    streams: streams.map((s) => s.name).join(","),
  };
}

const streamRefusal = (s: StreamDef, key: boolean) =>
  key
    ? `Insufficient permissions or API key scope: this stream requires '${s.permission}'`
    : `Insufficient permissions: this stream requires '${s.permission}'`;

/** `$connect`'s check: the authorizer allowed this caller the stream it is opening. */
export function mayOpen(ctx: Pick<ConnectionContext, "streams">, stream: StreamName): boolean {
  return ctx.streams.split(",").includes(stream);
}
