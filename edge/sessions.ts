/**
 * The SSH sessions active on this gateway, built from sshd's log (one session per sshd process),
 * and the `ssh_session` events their start and end produce. One instance per edge; the runtime
 * persists `list()` so a restart still knows which sessions it may terminate.
 */
import * as z from "zod/mini";
import type { SshSessionEvent } from "./contract.ts";
import type { AuthLogEvent } from "./log-parsers.ts";

export const SshSessionSchema = z.object({
  session_id: z.string(),
  username: z.string(),
  client_ip: z.string(),
  client_port: z.optional(z.number().check(z.int())),
  started: z.string(),
  process_id: z.number().check(z.int()),
  auth_method: z.optional(z.string()),
});
export type SshSession = z.infer<typeof SshSessionSchema>;

export class SessionTable {
  private readonly byPid = new Map<number, SshSession>();

  constructor(initial: readonly SshSession[] = []) {
    for (const session of initial) this.byPid.set(session.process_id, session);
  }

  list(): SshSession[] {
    return [...this.byPid.values()];
  }

  ids(): string[] {
    return this.list().map((s) => s.session_id);
  }

  /** Applies a log event; returns the event to publish, or null when it changes nothing. */
  apply(event: AuthLogEvent, now: Date): SshSessionEvent | null {
    if (event.kind === "login") {
      if (this.byPid.has(event.pid)) return null;
      const session: SshSession = {
        session_id: `ssh-${event.pid}-${Math.floor(Date.parse(event.timestamp) / 1000)}`,
        username: event.username,
        client_ip: event.clientIp,
        client_port: event.clientPort,
        started: event.timestamp,
        process_id: event.pid,
        auth_method: event.authMethod,
      };
      this.byPid.set(event.pid, session);
      return { type: "ssh_session", timestamp: now.toISOString(), event: "started", ...session };
    }
    const session = this.byPid.get(event.pid);
    if (!session) return null;
    this.byPid.delete(event.pid);
    return ended(session, event.timestamp, event.reason, now);
  }

  /** Ends a session on request; null when the id is not an active session here. */
  terminate(sessionId: string, now: Date): { session: SshSession; event: SshSessionEvent } | null {
    const session = this.list().find((s) => s.session_id === sessionId);
    if (!session) return null;
    this.byPid.delete(session.process_id);
    return { session, event: ended(session, now.toISOString(), "terminated_by_admin", now) };
  }
}

function ended(session: SshSession, at: string, reason: string, now: Date): SshSessionEvent {
  return {
    type: "ssh_session",
    timestamp: now.toISOString(),
    event: "ended",
    ...session,
    ended: at,
    termination_reason: reason,
  };
}
