/**
 * What the edge observes for Warden's security scan, on fixtures of the real formats: listening
 * ports from /proc/net (loopback and connected sockets left out), zero-hit Warden rules from
 * `nft -j list table` counters, weak keys in authorized_keys (keys made by the real ssh-keygen),
 * and the digest that shows a live file edited by hand.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  digestOf,
  listeningPorts,
  parseProcNet,
  rsaBits,
  weakAuthorizedKeys,
  weakKeysIn,
  zeroHitRules,
} from "#edge/posture.ts";

const fixtures = join(import.meta.dirname, "fixtures");

async function keyPair(dir: string, type: "rsa" | "ed25519", bits?: number): Promise<string> {
  const file = join(dir, `${type}-${bits ?? 0}`);
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    type,
    ...(bits ? ["-b", String(bits)] : []),
    "-N",
    "",
    "-C",
    "t@test",
    "-f",
    file,
  ]);
  return (await readFile(`${file}.pub`, "utf8")).trim();
}

describe("listening ports (/proc/net)", () => {
  it("answers non-loopback TCP listeners and unconnected UDP sockets of all four files, sorted", async () => {
    expect(await listeningPorts(join(fixtures, "scan-proc-net"))).toEqual(["tcp:22", "udp:68", "tcp:443", "tcp:8081"]);
  });

  it("leaves out loopback (127/8, ::1, ::ffff:127.0.0.1) and established or connected sockets", async () => {
    const tcp6 = await readFile(join(fixtures, "scan-proc-net", "tcp6"), "utf8");
    expect(parseProcNet(tcp6, "tcp")).toEqual([22]);
    const udp = await readFile(join(fixtures, "scan-proc-net", "udp"), "utf8");
    expect(parseProcNet(udp, "udp")).toEqual([68]);
  });

  it("answers null when no /proc/net file can be read (nothing to report)", async () => {
    expect(await listeningPorts(join(fixtures, "no-such-dir"))).toBeNull();
  });
});

describe("rule counters (nft -j list table inet warden)", () => {
  it("answers the ids of Warden rules whose counter is zero; rules without counter or id are ignored", async () => {
    const json = await readFile(join(fixtures, "scan-nft-list.json"), "utf8");
    expect(zeroHitRules(json)).toEqual([3, 5]);
  });

  it("answers null for a ruleset without counters or for output that is not JSON", () => {
    expect(
      zeroHitRules(JSON.stringify({ nftables: [{ rule: { comment: "rule 1: x", expr: [{ accept: null }] } }] })),
    ).toBeNull();
    expect(zeroHitRules("Error: Could not process rule")).toBeNull();
  });
});

describe("weak keys in authorized_keys", () => {
  it("finds a 1024-bit RSA key (after options too) and leaves strong keys alone", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scan-keys-"));
    const [weak, strong, ed] = await Promise.all([
      keyPair(dir, "rsa", 1024),
      keyPair(dir, "rsa", 3072),
      keyPair(dir, "ed25519"),
    ]);
    expect(rsaBits(Buffer.from(weak.split(" ")[1] as string, "base64"))).toBe(1024);
    expect(rsaBits(Buffer.from(strong.split(" ")[1] as string, "base64"))).toBe(3072);
    expect(weakKeysIn(`# managed by Warden\n${ed}\nno-pty,from="10.0.0.1" ${weak}\n${strong}\n`, "root")).toEqual([
      "RSA-1024 root",
    ]);

    const keysDir = join(dir, "authorized_keys");
    execFileSync("mkdir", ["-p", keysDir]);
    await writeFile(join(keysDir, "ops"), `${ed}\n`);
    await writeFile(join(keysDir, "root"), `${weak}\n`);
    expect(await weakAuthorizedKeys(keysDir)).toEqual(["RSA-1024 root"]);
  });
});

describe("drift digest", () => {
  it("changes when a live file is edited by hand, and not otherwise", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scan-drift-"));
    const ruleset = join(dir, "warden.nft");
    await writeFile(ruleset, "table inet warden {}\n");
    const applied = await digestOf([ruleset]);
    expect(await digestOf([ruleset])).toBe(applied);
    await writeFile(ruleset, "table inet warden {}\n# tcp dport 8081 accept\n");
    expect(await digestOf([ruleset])).not.toBe(applied);
  });
});
