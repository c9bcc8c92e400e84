import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FirewallDesiredSchema } from "#edge/contract.ts";
import { DOS_MAX_CONNECTIONS_PER_SOURCE, nftDuration, renderNftRuleset, setElements } from "#edge/render-nft.ts";
import { checkNftRuleset } from "#edge/tools.ts";
import { firewallDesired } from "./fixtures/desired.ts";

const now = new Date("2025-03-15T10:00:00Z");
const scratch = mkdtempSync(join(tmpdir(), "warden-nft-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NFT = "/usr/sbin/nft";

async function nftCheck(text: string) {
  const file = join(scratch, `ruleset-${Math.random().toString(16).slice(2)}.nft`);
  writeFileSync(file, text);
  return checkNftRuleset(NFT, file, "/etc/nftables.d/warden.nft");
}

/** Lines of one chain of the rendered table. */
function chain(text: string, name: string): string[] {
  const lines = text.split("\n").map((l) => l.trim());
  const start = lines.indexOf(`chain ${name} {`);
  const end = lines.indexOf("}", start);
  return lines.slice(start + 1, end);
}

describe("nftables renderer", () => {
  it("replaces Warden's table atomically: create-if-missing, delete, define", () => {
    const { text } = renderNftRuleset(firewallDesired(), { now });

    expect(text).toMatch(
      /^#!\/usr\/sbin\/nft -f\n# Warden firewall, config_version 1\..*\ntable inet warden\ndelete table inet warden\ntable inet warden \{/,
    );
  });

  it("applies the default policy to input and forward, and keeps output open", () => {
    const { text } = renderNftRuleset(firewallDesired({ default_policy: "DROP" }), { now });

    expect(chain(text, "input")[0]).toBe("type filter hook input priority filter; policy drop;");
    expect(chain(text, "forward")[0]).toBe("type filter hook forward priority filter; policy drop;");
    expect(chain(text, "output")[0]).toBe("type filter hook output priority filter; policy accept;");
  });

  it("orders enabled rules by priority (lower first) and leaves disabled rules out", () => {
    const { text } = renderNftRuleset(firewallDesired(), { now });

    const ruleIds = chain(text, "input")
      .map((l) => /comment "rule (\d+):/.exec(l)?.[1])
      .filter((id) => id !== undefined);
    expect(ruleIds).toEqual(["3", "1", "4", "2", "5"]);
  });

  it("renders matches for interface, addresses, protocols and port ranges", () => {
    const { text } = renderNftRuleset(firewallDesired(), { now });
    const input = chain(text, "input");

    expect(input).toContain(
      'ip saddr 192.168.1.0/24 tcp dport 22 counter accept comment "rule 1: SSH Management Access"',
    );
    expect(input).toContain(
      'iifname "eth0" ip6 saddr 2001:db8::/32 meta l4proto { tcp, udp } th dport 8000-8100 log prefix "MQTT-REJECT " level info counter reject comment "rule 4: MQTT Broker Access"',
    );
    expect(input).toContain('tcp dport 80 counter accept comment "rule 2: HTTP Dashboard Access"');
    expect(chain(text, "output")).toContain(
      'ip daddr 8.8.8.8 udp dport 53 counter drop comment "rule 7: No DNS out to 8.8.8.8"',
    );
  });

  it("puts whitelist and blacklist into sets per family, honouring expiry in both", () => {
    const { text } = renderNftRuleset(firewallDesired(), { now });

    expect(text).toMatch(
      /elements = \{ 192\.168\.0\.0\/24, 10\.0\.0\.5 timeout \d+d(\d+h)?(\d+m)?(\d+s)?, 172\.16\.0\.0\/16 \}/,
    );
    expect(text).not.toContain("198.51.100.99");
    expect(text).toContain("elements = { fd00::/8 }");
    expect(text).toMatch(/elements = \{ 203\.0\.113\.5, 45\.33\.32\.156 timeout \d+d(\d+h)?(\d+m)?(\d+s)? \}/);
    expect(text).not.toContain("198.51.100.7");
    expect(text).toContain("elements = { 2001:db8:bad::1 }");
  });

  it("gives a whitelist entry with an expiry the time it has left, and leaves an expired one out", () => {
    const timed = firewallDesired({
      whitelist: [
        { ip: "10.9.0.0/16", expires: "2025-03-15T11:30:05Z" },
        { ip: "10.8.0.1", expires: "2025-03-15T09:59:59Z" },
        { ip: "2001:db8:1::/48", expires: "2025-03-16T10:00:00Z" },
      ],
    });
    const { text } = renderNftRuleset(timed, { now });

    expect(text).toContain("elements = { 10.9.0.0/16 timeout 1h30m5s }");
    expect(text).toContain("elements = { 2001:db8:1::/48 timeout 1d }");
    expect(text).not.toContain("10.8.0.1");
    expect(text).toMatch(/set whitelist_v4 \{\n\s+type ipv4_addr\n\s+flags interval, timeout/);
  });

  it("uses one element function for both lists: an address listed twice keeps its longest life", () => {
    expect(
      setElements(
        [
          { ip: "10.0.0.1", expires: "2025-03-15T10:00:10Z" },
          { ip: "10.0.0.1", expires: "2025-03-15T10:01:00Z" },
          { ip: "10.0.0.2", expires: "2025-03-15T10:00:10Z" },
          { ip: "10.0.0.2" },
          { ip: "::1", expires: "2025-03-15T09:00:00Z" },
        ],
        now,
      ),
    ).toEqual({ v4: ["10.0.0.1 timeout 1m", "10.0.0.2"], v6: [] });
  });

  it("still reads a whitelist of plain strings (documents of an older cloud) as entries without expiry", () => {
    const legacy = { ...firewallDesired(), whitelist: ["10.0.0.0/8", "fd00::/8"] };

    const parsed = FirewallDesiredSchema.parse(legacy);

    expect(parsed.whitelist).toEqual([{ ip: "10.0.0.0/8" }, { ip: "fd00::/8" }]);
    expect(FirewallDesiredSchema.safeParse({ ...legacy, whitelist: [{ ip: "nope" }] }).success).toBe(false);
  });

  it("turns blocked ports, per-source rate limiting, SYN flood, port-scan, DoS and VPN settings into rules", () => {
    const { text } = renderNftRuleset(firewallDesired(), { now });
    const input = chain(text, "input");

    expect(input).toContain("tcp dport { 21, 23, 8000 } drop");
    expect(input).toContain("udp dport { 69 } drop");
    expect(input).toContain(
      'ct state new update @ratelimit_v4 { ip saddr limit rate over 50/second burst 100 packets } log prefix "WARDEN-RATELIMIT " level info drop',
    );
    expect(input).toContain(
      'ct state new update @ratelimit_v6 { ip6 saddr limit rate over 50/second burst 100 packets } log prefix "WARDEN-RATELIMIT " level info drop',
    );
    expect(input.some((l) => l.startsWith("tcp flags & (fin|syn|rst|ack) == syn limit rate over 25/second"))).toBe(
      true,
    );
    // Port scans: flag patterns, plus a per-source meter of new connections to distinct ports.
    expect(input).toContain(
      'ct state new meta l4proto { tcp, udp } ip saddr . th dport != @portscan_pairs_v4 add @portscan_pairs_v4 { ip saddr . th dport } update @portscan_meter_v4 { ip saddr limit rate over 10/minute burst 10 packets } add @portscanners_v4 { ip saddr } log prefix "WARDEN-PORTSCAN " level info drop',
    );
    expect(input).toContain("ip6 saddr @portscanners_v6 drop");
    expect(text).toMatch(/set portscanners_v4 \{\n\s+type ipv4_addr\n\s+flags dynamic, timeout\n\s+timeout 10m/);
    expect(input).toContain(
      `ct state new add @dos_conns_v4 { ip saddr ct count over ${DOS_MAX_CONNECTIONS_PER_SOURCE} } log prefix "WARDEN-DOS " level info drop`,
    );
    expect(input).toContain('udp dport 1194 accept comment "VPN"');
    // The VPN port is accepted after the protections and before the user rules.
    const vpn = input.indexOf('udp dport 1194 accept comment "VPN"');
    expect(vpn).toBeGreaterThan(input.findIndex((l) => l.includes("@ratelimit_v6")));
    expect(vpn).toBeLessThan(input.findIndex((l) => l.includes('comment "rule ')));
  });

  it("renders none of the optional protections when they are off, and the port-scan threshold it is given", () => {
    const off = renderNftRuleset(
      firewallDesired({
        port_scan_detection: false,
        syn_flood_protection: false,
        dos_protection: false,
        vpn_enabled: false,
        rate_limiting: { enabled: false, requests_per_second: 5, burst_size: 5 },
      }),
      { now },
    ).text;
    expect(off).not.toMatch(/portscan|dos_conns|ratelimit_|udp dport 1194|limit rate over 25/);

    const tuned = renderNftRuleset(firewallDesired({ port_scan_threshold: 3, vpn_port: 51820 }), { now }).text;
    expect(tuned).toContain("limit rate over 3/minute burst 3 packets");
    expect(tuned).toContain('udp dport 51820 accept comment "VPN"');
  });

  it("renders a document of an older cloud (no DoS, threshold or VPN fields) as before", () => {
    const { dos_protection, port_scan_threshold, vpn_enabled, vpn_port, ...old } = firewallDesired();
    const parsed = FirewallDesiredSchema.parse(old);
    const text = renderNftRuleset(parsed, { now }).text;

    expect(text).not.toContain("dos_conns");
    expect(text).not.toContain('comment "VPN"');
    expect(text).toContain("limit rate over 10/minute");
  });

  it("maps every log prefix to the rule it belongs to", () => {
    const { logPrefixes } = renderNftRuleset(firewallDesired(), { now });

    expect(logPrefixes["WARDEN-R3-DROP "]).toEqual({
      rule_id: 3,
      rule_name: "Block Telnet",
      action: "DROP",
      reason: null,
    });
    expect(logPrefixes["MQTT-REJECT "]).toMatchObject({ rule_id: 4, action: "REJECT" });
    expect(logPrefixes["WARDEN-BLOCKED-PORT "]).toMatchObject({ reason: "Port {port} blocked" });
  });

  it("removes Warden's table when the firewall is disabled", () => {
    const { text } = renderNftRuleset(firewallDesired({ enabled: false }), { now });

    expect(text).not.toContain("chain input");
    expect(text).toContain("delete table inet warden");
  });

  it("writes durations nft accepts", () => {
    expect(nftDuration(5)).toBe("5s");
    expect(nftDuration(90_061)).toBe("1d1h1m1s");
    expect(nftDuration(7 * 86_400)).toBe("7d");
  });
});

describe("nftables renderer output checked by nft -c", () => {
  it("accepts the full example configuration: timed whitelist, port-scan meter, DoS, VPN, per-source rate limit", async () => {
    const { text } = renderNftRuleset(firewallDesired(), { now });

    expect(text).toMatch(/10\.0\.0\.5 timeout /);
    expect(text).toContain("ct count over");
    expect(await nftCheck(text)).toEqual({ status: "valid" });
  });

  it("accepts a timed whitelist element on its own, and the ruleset with every protection off", async () => {
    const timed = firewallDesired({
      whitelist: [{ ip: "10.9.0.1", expires: "2025-03-15T10:05:00Z" }],
      rules: [],
      blacklist: [],
    });
    const off = firewallDesired({
      port_scan_detection: false,
      syn_flood_protection: false,
      dos_protection: false,
      vpn_enabled: false,
      rate_limiting: { enabled: true, requests_per_second: 5, burst_size: 0 },
    });

    expect(renderNftRuleset(timed, { now }).text).toContain("elements = { 10.9.0.1 timeout 5m }");
    expect(await nftCheck(renderNftRuleset(timed, { now }).text)).toEqual({ status: "valid" });
    expect(await nftCheck(renderNftRuleset(off, { now }).text)).toEqual({ status: "valid" });
  });

  it("accepts overlapping and duplicate set elements, ACCEPT policy, and the disabled firewall", async () => {
    const overlapping = firewallDesired({
      default_policy: "ACCEPT",
      whitelist: [{ ip: "10.0.0.0/8" }, { ip: "10.1.0.0/16" }, { ip: "10.1.2.3" }, { ip: "10.1.2.3" }],
      blacklist: [{ ip: "192.0.2.0/24" }, { ip: "192.0.2.7", expires: "2025-03-15T11:00:00Z" }],
    });

    expect(await nftCheck(renderNftRuleset(overlapping, { now }).text)).toEqual({ status: "valid" });
    expect(await nftCheck(renderNftRuleset(firewallDesired({ enabled: false }), { now }).text)).toEqual({
      status: "valid",
    });
  });

  it("rejects an invalid CIDR smuggled past validation, naming the final file and the bad address", async () => {
    const bad = firewallDesired({
      rules: [
        {
          id: 99,
          name: "smuggled",
          chain: "INPUT",
          protocol: "TCP",
          source: "999.1.1.1/33",
          action: "DROP",
          priority: 1,
          enabled: true,
        },
      ],
    });

    const result = await nftCheck(renderNftRuleset(bad, { now }).text);

    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" && result.error).toContain("/etc/nftables.d/warden.nft");
    expect(result.status === "invalid" && result.error).toContain("999.1.1.1/33");
  });

  it("says why nft -c cannot run (here: without CAP_NET_ADMIN) instead of blaming the ruleset", async () => {
    const withoutNetAdmin = join(scratch, "nft-without-net-admin");
    writeFileSync(withoutNetAdmin, `#!/bin/sh\nexec setpriv --inh-caps=-all --bounding-set=-net_admin ${NFT} "$@"\n`);
    chmodSync(withoutNetAdmin, 0o755);
    const file = join(scratch, "valid.nft");
    writeFileSync(file, renderNftRuleset(firewallDesired(), { now }).text);

    const result = await checkNftRuleset(withoutNetAdmin, file, "/etc/nftables.d/warden.nft");

    expect(result).toEqual({ status: "unavailable", reason: expect.stringMatching(/^nft -c cannot run here: .+/) });
    expect(result.status === "unavailable" && result.reason).toContain("Operation not permitted");
  });
});
