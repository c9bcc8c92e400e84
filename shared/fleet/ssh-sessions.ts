/**
 * SSH sessions the gateways report, and the daily SSH counters: what the ssh routes read. (Ending
 * an SSH session is a change of the ssh settings document, see ssh.ts `terminateSshSession`.)
 * Durations are milliseconds here; views.ts writes them as the spec's "HH:MM:SS".
 */
import { readSshCounters, type SshCounters } from "#shared/fleet/db/ssh-counters.ts";
import {
  activeSshSessions,
  countActiveSshSessions as countActive,
  getSshSession,
  type SshSession,
  type SshTerminationRequest,
  setSshTerminationRequested,
  sshSessionsStartedOn,
} from "#shared/fleet/db/ssh-sessions.ts";

export type { SshCounters, SshSession, SshTerminationRequest };

/** Today's SSH counters and the latest connection of the last 7 days. */
export async function sshStatsToday(tenantId: string, now: Date, gatewayId?: number): Promise<SshCounters> {
  return readSshCounters(tenantId, now, gatewayId);
}

export interface ActiveSshSession {
  sshSession: SshSession;
  durationMs: number;
  /** Since the last command, or the last activity, or the start. */
  idleMs: number;
}

export interface EndedSshSession {
  sshSession: SshSession;
  durationMs: number;
}

export interface SshSessionListing {
  active: ActiveSshSession[];
  /** Today's ended SSH sessions (empty when only the active ones were asked for). */
  endedToday: EndedSshSession[];
  totalToday: number;
  uniqueUsersToday: number;
  uniqueIpsToday: number;
}

export async function listSshSessions(
  tenantId: string,
  q: { activeOnly: boolean; gatewayId?: number },
  at = new Date(),
): Promise<SshSessionListing> {
  const today = at.toISOString().slice(0, 10);
  const [active, todays] = await Promise.all([activeSshSessions(tenantId), sshSessionsStartedOn(tenantId, today)]);
  const mine = (s: SshSession) => q.gatewayId === undefined || s.gatewayId === q.gatewayId;
  const now = at.getTime();
  const ofToday = todays.filter(mine);
  return {
    active: active.filter(mine).map((s) => ({
      sshSession: s,
      durationMs: now - Date.parse(s.started),
      idleMs: now - Date.parse(s.lastCommandTime ?? s.lastActivity ?? s.started),
    })),
    endedToday: q.activeOnly
      ? []
      : ofToday
          .filter((s) => s.ended)
          .map((s) => ({ sshSession: s, durationMs: Date.parse(s.ended ?? s.started) - Date.parse(s.started) })),
    totalToday: ofToday.length,
    uniqueUsersToday: new Set(ofToday.map((s) => s.username)).size,
    uniqueIpsToday: new Set(ofToday.map((s) => s.clientIp)).size,
  };
}

export async function findSshSession(tenantId: string, id: string): Promise<SshSession | undefined> {
  return getSshSession(tenantId, id);
}

export async function markSshTerminationRequested(
  tenantId: string,
  sshSession: SshSession,
  request: SshTerminationRequest,
): Promise<void> {
  await setSshTerminationRequested(tenantId, sshSession.id, request);
}

export async function countActiveSshSessions(tenantId: string): Promise<number> {
  return countActive(tenantId);
}
