import { describe, expect, it } from "vitest";
import { FirewallLogLineSchema } from "../../edge/contract.ts";
import { parseAuthLogLine, parseFirewallLogLine, parseLogTimestamp } from "../../edge/log-parsers.ts";
import { renderNftRuleset } from "../../edge/render-nft.ts";
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
