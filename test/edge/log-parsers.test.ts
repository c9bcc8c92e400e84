import { describe, expect, it } from "vitest";
import { AuthFailureTracker } from "#edge/auth-failures.ts";
import { FirewallLogLineSchema, SshAuthFailureEventSchema } from "#edge/contract.ts";
import { parseAuthFailureLine, parseAuthLogLine, parseFirewallLogLine, parseLogTimestamp } from "#edge/log-parsers.ts";
import { renderNftRuleset } from "#edge/render-nft.ts";
import { firewallDesired } from "./fixtures/desired.ts";

const now = new Date("2025-03-15T12:00:00Z");
const { logPrefixes } = renderNftRuleset(firewallDesired(), { now });

const KERNEL =
  "IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.168.1.100 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=0 DF PROTO=TCP SPT=54321 DPT=23 WINDOW=64240 RES=0x00 SYN URGP=0";

describe("firewall log lines", () => {
  it("parses a syslog kernel line and names the rule from its log prefix", () => {
    const line = `Mar 15 10:25:30 gw kernel: [12345.678901] WARDEN-R3-DROP ${KERNEL}`;

    const parsed = parseFirewallLogLine(line, logPrefixes, now);

    expect(parsed).toMatchObject({
      action: "DROP",
      protocol: "TCP",
      source_ip: "203.0.113.5",
      source_port: 54321,
      destination_ip: "192.168.1.100",
      destination_port: 23,
      interface: "eth0",
      out_interface: null,
      rule_id: 3,
      rule_name: "Block Telnet",
      prefix: "WARDEN-R3-DROP",
      bytes: 60,
    });
    expect(FirewallLogLineSchema.safeParse(parsed).success).toBe(true);
  });

  it("fills the reason of built-in rules with the packet's port", () => {
    const line = `2025-03-15T10:25:30.123456+00:00 gw kernel: WARDEN-BLOCKED-PORT ${KERNEL}`;

    const parsed = parseFirewallLogLine(line, logPrefixes, now);

    expect(parsed).toMatchObject({
      rule_name: "Blocked ports",
      reason: "Port 23 blocked",
      timestamp: "2025-03-15T10:25:30.123Z",
    });
  });

  it("recognises a custom log prefix", () => {
    const line = `[ 99.1] MQTT-REJECT IN=eth0 OUT= SRC=2001:db8::5 DST=2001:db8::1 LEN=80 PROTO=UDP SPT=5000 DPT=8050 LEN=40`;

    expect(parseFirewallLogLine(line, logPrefixes, now)).toMatchObject({
      rule_id: 4,
      action: "REJECT",
      protocol: "UDP",
    });
  });

  it("keeps ICMP lines without ports", () => {
    const line =
      "kernel: WARDEN-POLICY-DROP IN=eth0 OUT= SRC=198.51.100.1 DST=192.168.1.100 LEN=84 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1";

    expect(parseFirewallLogLine(line, logPrefixes, now)).toMatchObject({
      protocol: "ICMP",
      source_port: null,
      destination_port: null,
    });
  });

  it("ignores kernel lines without a Warden prefix and lines that are not packet logs", () => {
    expect(parseFirewallLogLine(`Mar 15 10:25:30 gw kernel: UFW BLOCK ${KERNEL}`, logPrefixes, now)).toBeNull();
    expect(parseFirewallLogLine("Mar 15 10:25:30 gw kernel: usb 1-1: new device", logPrefixes, now)).toBeNull();
  });
});

describe("log timestamps", () => {
  it("reads ISO and syslog times; a syslog date in the future belongs to last year", () => {
    expect(parseLogTimestamp("2025-03-15T10:25:30Z host x", now)).toBe("2025-03-15T10:25:30.000Z");
    expect(new Date(parseLogTimestamp("Mar 15 10:25:30 host x", now)).getFullYear()).toBe(2025);
    expect(new Date(parseLogTimestamp("Dec 31 23:59:59 host x", now)).getFullYear()).toBe(2024);
    expect(parseLogTimestamp("no time here", now)).toBe(now.toISOString());
  });
});

describe("sshd auth log lines", () => {
  it("recognises a login with method, user, address and port", () => {
    const line =
      "Mar 15 09:30:00 gw sshd[1234]: Accepted publickey for admin from 192.168.1.100 port 53422 ssh2: ED25519 SHA256:abc";

    expect(parseAuthLogLine(line, now)).toMatchObject({
      kind: "login",
      pid: 1234,
      username: "admin",
      clientIp: "192.168.1.100",
      clientPort: 53422,
      authMethod: "publickey",
    });
  });

  it.each([
    ["sshd[1234]: Disconnected from user admin 192.168.1.100 port 53422", "user_exit"],
    ["sshd[1234]: Received disconnect from 192.168.1.100 port 53422:11: disconnected by user", "user_exit"],
    ["sshd[1234]: pam_unix(sshd:session): session closed for user admin", "user_exit"],
    ["sshd[1234]: Timeout, client not responding from user admin 192.168.1.100 port 53422", "timeout"],
    ["sshd-session[1234]: Connection closed by 192.168.1.100 port 53422", "connection_lost"],
  ])("recognises the end of a session: %s", (line, reason) => {
    expect(parseAuthLogLine(line, now)).toMatchObject({ kind: "logout", pid: 1234, reason });
  });

  it("ignores failed and pre-authentication lines", () => {
    expect(parseAuthLogLine("sshd[77]: Failed password for root from 1.2.3.4 port 22 ssh2", now)).toBeNull();
    expect(
      parseAuthLogLine("sshd[77]: Connection closed by authenticating user root 1.2.3.4 port 5 [preauth]", now),
    ).toBeNull();
  });
});

describe("failed sshd logins", () => {
  it.each([
    [
      "Mar 15 09:31:02 gw sshd[2001]: Failed password for admin from 203.0.113.9 port 40112 ssh2",
      {
        pid: 2001,
        stage: "attempt",
        username: "admin",
        clientIp: "203.0.113.9",
        clientPort: 40112,
        reason: "failed_password",
      },
    ],
    [
      "2025-03-15T09:31:03.5+00:00 gw sshd-session[2002]: Failed password for invalid user oracle from 2001:db8::7 port 5022 ssh2",
      {
        pid: 2002,
        stage: "attempt",
        username: "oracle",
        clientIp: "2001:db8::7",
        clientPort: 5022,
        reason: "invalid_user",
      },
    ],
    [
      "Mar 15 09:31:04 gw sshd[2003]: Failed publickey for ops01 from 198.51.100.4 port 61000 ssh2: ED25519 SHA256:xyz",
      { pid: 2003, stage: "attempt", username: "ops01", reason: "failed_auth" },
    ],
    [
      "Mar 15 09:31:05 gw sshd[2004]: Invalid user test from 203.0.113.10 port 52344",
      {
        pid: 2004,
        stage: "notice",
        username: "test",
        clientIp: "203.0.113.10",
        clientPort: 52344,
        reason: "invalid_user",
      },
    ],
    [
      "Mar 15 09:31:06 gw sshd[2005]: Connection closed by authenticating user root 203.0.113.11 port 39000 [preauth]",
      {
        pid: 2005,
        stage: "closing",
        username: "root",
        clientIp: "203.0.113.11",
        clientPort: 39000,
        reason: "preauth_disconnect",
      },
    ],
    [
      "Mar 15 09:31:07 gw sshd[2006]: error: maximum authentication attempts exceeded for root from 203.0.113.12 port 41000 ssh2 [preauth]",
      {
        pid: 2006,
        stage: "closing",
        username: "root",
        clientIp: "203.0.113.12",
        clientPort: 41000,
        reason: "max_auth_attempts",
      },
    ],
    [
      "Mar 15 09:31:08 gw sshd[2007]: maximum authentication attempts exceeded for invalid user pi from 203.0.113.13",
      {
        pid: 2007,
        stage: "closing",
        username: "pi",
        clientIp: "203.0.113.13",
        clientPort: null,
        reason: "max_auth_attempts",
      },
    ],
  ])("parses %s", (line, expected) => {
    expect(parseAuthFailureLine(line, now)).toMatchObject(expected);
  });

  it("takes the time from the line", () => {
    const line = "2025-03-15T09:31:03Z gw sshd[9]: Failed password for admin from 203.0.113.9 port 1 ssh2";
    expect(parseAuthFailureLine(line, now)?.timestamp).toBe("2025-03-15T09:31:03.000Z");
  });

  it("ignores successful logins, session ends and unrelated lines", () => {
    for (const line of [
      "sshd[1234]: Accepted publickey for admin from 192.168.1.100 port 53422 ssh2: ED25519 SHA256:abc",
      "sshd[1234]: Disconnected from user admin 192.168.1.100 port 53422",
      "sshd[1234]: Connection closed by 192.168.1.100 port 53422",
      "sshd[1234]: Server listening on 0.0.0.0 port 22.",
      "sudo: admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; COMMAND=/bin/ls",
    ]) {
      expect(parseAuthFailureLine(line, now)).toBeNull();
    }
  });

  it("counts one entry per failed attempt: an unknown user's notice and its first password failure are one", () => {
    const tracker = new AuthFailureTracker();
    const lines = [
      // Unknown user, three passwords, then the connection ends: 3 attempts.
      "sshd[300]: Invalid user oracle from 203.0.113.20 port 50000",
      "sshd[300]: Failed password for invalid user oracle from 203.0.113.20 port 50000 ssh2",
      "sshd[300]: Failed password for invalid user oracle from 203.0.113.20 port 50000 ssh2",
      "sshd[300]: Failed password for invalid user oracle from 203.0.113.20 port 50000 ssh2",
      "sshd[300]: Connection closed by invalid user oracle 203.0.113.20 port 50000 [preauth]",
      // Known user, passwords until sshd gives up: 2 attempts (the closing line restates them).
      "sshd[301]: Failed password for root from 203.0.113.21 port 50001 ssh2",
      "sshd[301]: Failed password for root from 203.0.113.21 port 50001 ssh2",
      "sshd[301]: error: maximum authentication attempts exceeded for root from 203.0.113.21 port 50001 ssh2 [preauth]",
      // A key-only client whose keys were refused leaves only the closing line: 1 attempt.
      "sshd[302]: Connection closed by authenticating user admin 203.0.113.22 port 50002 [preauth]",
      // An unknown user who never tried a credential: 1.
      "sshd[303]: Invalid user scanner from 203.0.113.23 port 50003",
    ];
    const failures = lines.flatMap((l) => {
      const parsed = parseAuthFailureLine(l, now);
      const failure = parsed ? tracker.apply(parsed) : null;
      return failure ? [failure] : [];
    });

    expect(failures.map((f) => `${f.client_ip}:${f.reason}`)).toEqual([
      "203.0.113.20:invalid_user",
      "203.0.113.20:invalid_user",
      "203.0.113.20:invalid_user",
      "203.0.113.21:failed_password",
      "203.0.113.21:failed_password",
      "203.0.113.22:preauth_disconnect",
      "203.0.113.23:invalid_user",
    ]);
    expect(
      SshAuthFailureEventSchema.safeParse({ type: "ssh_auth_failure", timestamp: now.toISOString(), failures }).success,
    ).toBe(true);
  });
});
