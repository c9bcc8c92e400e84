/**
 * SSH sessions the gateways report, and the daily SSH counters: the reads of the ssh routes.
 */
import type { TerminateRequest } from "#shared/fleet/db/ssh.ts";
import { readSshStats } from "#shared/fleet/db/ssh-counters.ts";
import {
  activeSessions,
  countActive,
  getSession,
  type SessionRecord,
  sessionsStartedOn,
  setTerminationRequested,
} from "#shared/fleet/db/ssh-sessions.ts";

export type { SessionRecord };

/** "HH:MM:SS" (hours may exceed 24). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}

export async function sshStatsToday(tenantId: string, now: Date, gatewayId?: number) {
  const s = await readSshStats(tenantId, now, gatewayId);
  return { last_connection: s.last, connections_today: s.connectionsToday, failed_attempts_today: s.failedToday };
}

export async function listSessions(tenantId: string, q: { activeOnly: boolean; gatewayId?: number; now: Date }) {
  const today = q.now.toISOString().slice(0, 10);
  const [active, todays] = await Promise.all([activeSessions(tenantId), sessionsStartedOn(tenantId, today)]);
  const mine = (s: SessionRecord) => q.gatewayId === undefined || s.gateway_id === q.gatewayId;
  const now = q.now.getTime();
  const ofToday = todays.filter(mine);
  return {
    active_sessions: active.filter(mine).map((s) => ({
      session_id: s.session_id,
      username: s.username,
      client_ip: s.client_ip,
      client_hostname: s.client_hostname ?? null,
      started: s.started,
      duration: formatDuration(now - Date.parse(s.started)),
      command_count: s.command_count,
      last_command: s.last_command ?? null,
      last_command_time: s.last_command_time ?? null,
      tty: s.tty ?? null,
      process_id: s.process_id ?? null,
      idle_time: formatDuration(now - Date.parse(s.last_command_time ?? s.last_activity ?? s.started)),
      gateway_id: s.gateway_id,
      ...(s.termination_requested ? { termination_requested: s.termination_requested } : {}),
    })),
    recent_sessions: q.activeOnly
      ? []
      : ofToday
          .filter((s) => s.ended)
          .map((s) => ({
            session_id: s.session_id,
            username: s.username,
            client_ip: s.client_ip,
            started: s.started,
            ended: s.ended ?? null,
            duration: formatDuration(Date.parse(s.ended ?? s.started) - Date.parse(s.started)),
            command_count: s.command_count,
            termination_reason: s.termination_reason ?? null,
            gateway_id: s.gateway_id,
          })),
    total_sessions_today: ofToday.length,
    unique_users_today: new Set(ofToday.map((s) => s.username)).size,
    unique_ips_today: new Set(ofToday.map((s) => s.client_ip)).size,
  };
}

export async function findSession(tenantId: string, sessionId: string) {
  return getSession(tenantId, sessionId);
}

export async function markTerminationRequested(tenantId: string, session: SessionRecord, request: TerminateRequest) {
  await setTerminationRequested(tenantId, session.session_id, {
    reason: request.reason,
    requested_at: request.requested_at,
    requested_by: request.requested_by,
    notify_user: request.notify_user,
  });
}

export async function countActiveSessions(tenantId: string) {
  return countActive(tenantId);
}
