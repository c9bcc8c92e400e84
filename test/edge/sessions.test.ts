import { describe, expect, it } from "vitest";
import { SshSessionEventSchema } from "#edge/contract.ts";
import type { AuthLogEvent } from "#edge/log-parsers.ts";
import { SessionTable } from "#edge/sessions.ts";

const now = new Date("2025-03-15T10:00:00Z");
const login: AuthLogEvent = {
  kind: "login",
  pid: 1234,
  username: "admin",
  clientIp: "192.168.1.100",
  clientPort: 53422,
  authMethod: "publickey",
  timestamp: "2025-03-15T09:30:00.000Z",
};

describe("SSH session table", () => {
  it("starts a session on login and publishes a started event that matches the contract", () => {
    const table = new SessionTable();

    const event = table.apply(login, now);

    expect(event).toMatchObject({
      type: "ssh_session",
      event: "started",
      session_id: "ssh-1234-1742031000",
      username: "admin",
      client_ip: "192.168.1.100",
      started: "2025-03-15T09:30:00.000Z",
      process_id: 1234,
    });
    expect(SshSessionEventSchema.safeParse(event).success).toBe(true);
    expect(table.ids()).toEqual(["ssh-1234-1742031000"]);
  });

  it("ends the session of the same sshd process once, with the reason", () => {
    const table = new SessionTable();
    table.apply(login, now);
    const logout: AuthLogEvent = {
      kind: "logout",
      pid: 1234,
      timestamp: "2025-03-15T10:15:30.000Z",
      reason: "user_exit",
    };

    const ended = table.apply(logout, now);
    const again = table.apply(logout, now);

    expect(ended).toMatchObject({ event: "ended", ended: "2025-03-15T10:15:30.000Z", termination_reason: "user_exit" });
    expect(again).toBeNull();
    expect(table.list()).toEqual([]);
  });

  it("terminates a known session on request and ignores unknown ids", () => {
    const table = new SessionTable();
    table.apply(login, now);

    const terminated = table.terminate("ssh-1234-1742031000", now);

    expect(terminated?.event).toMatchObject({ event: "ended", termination_reason: "terminated_by_admin" });
    expect(terminated?.session.process_id).toBe(1234);
    expect(table.terminate("ssh-1234-1742031000", now)).toBeNull();
  });

  it("restores sessions it was given (after a restart)", () => {
    const first = new SessionTable();
    first.apply(login, now);

    const restored = new SessionTable(first.list());

    expect(restored.ids()).toEqual(first.ids());
  });
});
