/**
 * Turns sshd's failed-login lines into one `ssh_auth_failure` entry per failed attempt. sshd often
 * logs one attempt more than once (an unknown user is announced, then its password fails; a
 * connection that failed is closed with a `[preauth]` line), so lines are related per sshd process:
 *
 * - an `attempt` (Failed password/publickey …) counts, except the first one of an unknown user
 *   already announced by its `Invalid user` notice;
 * - a `notice` (Invalid user X) counts at once, so a client that never tries a credential is seen;
 * - a `closing` line (preauth close, maximum attempts exceeded) counts only when nothing of that
 *   connection counted yet (key-only clients fail without an attempt line at sshd's INFO level).
 *
 * Lines without a process id cannot be related and each count. Pure apart from its small memory.
 */
import type { SshAuthFailure } from "./contract.ts";
import type { AuthFailureLine } from "./log-parsers.ts";

/** Connections remembered at once; the oldest is forgotten first (a flood cannot grow memory). */
const MAX_TRACKED = 4096;

interface Connection {
  counted: number;
  /** An `Invalid user` notice counted the attempt its first `Failed … for invalid user` line reports. */
  noticePending: boolean;
}

export class AuthFailureTracker {
  private readonly byPid = new Map<number, Connection>();

  /** The failure to publish for this line, or null when an earlier line already counted it. */
  apply(line: AuthFailureLine): SshAuthFailure | null {
    const failure: SshAuthFailure = {
      timestamp: line.timestamp,
      username: line.username.slice(0, 256),
      client_ip: line.clientIp.slice(0, 64),
      ...(line.clientPort !== null ? { client_port: line.clientPort } : {}),
      reason: line.reason,
    };
    if (line.pid === null) return failure;
    const conn = this.byPid.get(line.pid) ?? { counted: 0, noticePending: false };
    let counts: boolean;
    switch (line.stage) {
      case "notice":
        counts = conn.counted === 0;
        conn.noticePending = counts;
        break;
      case "attempt":
        counts = !(conn.noticePending && line.reason === "invalid_user");
        conn.noticePending = false;
        break;
      case "closing":
        counts = conn.counted === 0;
        break;
    }
    if (counts) conn.counted++;
    if (line.stage === "closing") this.byPid.delete(line.pid);
    else this.remember(line.pid, conn);
    return counts ? failure : null;
  }

  private remember(pid: number, conn: Connection) {
    this.byPid.delete(pid);
    this.byPid.set(pid, conn);
    if (this.byPid.size > MAX_TRACKED) {
      const oldest = this.byPid.keys().next();
      if (!oldest.done) this.byPid.delete(oldest.value);
    }
  }
}
