/**
 * The three WebSocket streams, declared once: the route rows (infra/routes/realtime.ts), the
 * authorizer, the local server and the fan-out all read this table.
 */
import { AUTHENTICATED } from "#shared/auth/permissions.ts";

export type StreamName = "events" | "logs" | "notifications";

export interface StreamDef {
  name: StreamName;
  /** The path a client opens (the spec's); in AWS each stream is its own WebSocket API. */
  path: string;
  /** What the caller must hold (and an API key's scopes must include) to open it. */
  permission: string;
  description: string;
}

export const STREAMS: Record<StreamName, StreamDef> = {
  events: {
    name: "events",
    path: "/cloud-integration/security/events",
    permission: "security:read",
    description:
      "Security events as they happen: login failures and lockouts, brute-force blocks, firewall blocks and SSH sessions reported by gateways, configuration changes, gateway sync state (a configuration sent to a gateway or failing to reach it), scan progress and completion, certificate renewals",
  },
  logs: {
    name: "logs",
    path: "/ws/logs",
    permission: "audit:read",
    description:
      "Gateway log lines (firewall, SSH) and audit events as they are ingested; filters by level, type, gateway",
  },
  notifications: {
    name: "notifications",
    path: "/ws/notifications",
    permission: AUTHENTICATED,
    description: "The caller's own notifications (what the notifier sends to the caller's e-mail or phone)",
  },
};

export const streamOfPath = (path: string): StreamDef | undefined =>
  Object.values(STREAMS).find((s) => s.path === path || `${s.path}/` === path);

/** The subprotocol a browser offers beside its token (`new WebSocket(url, ["warden", token])`). */
export const SUBPROTOCOL = "warden";
