/**
 * DynamoDB Local listens on the loopback address only: the start-up line says 127.0.0.1, and an
 * unauthenticated database must not be reachable from the network. Checked on the instance this
 * test run started (test/setup/global.ts), from the kernel's own table of listening sockets.
 */
import { readFileSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";

const LISTEN = "0A";

/** Local addresses (hex, as /proc/net/tcp{,6} write them) of the sockets listening on `port`. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const out: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== LISTEN) continue;
      const [addr, p] = local.split(":");
      if (p === hexPort && addr) out.push(addr);
    }
  }
  return out;
}

const LOOPBACK = new Set([
  "0100007F", // 127.0.0.1
  "0000000000000000FFFF00000100007F", // ::ffff:127.0.0.1
  "00000000000000000000000001000000", // ::1
]);

describe("DynamoDB Local", () => {
  it("listens on the loopback address only", () => {
    const port = Number(new URL(inject("dynamoEndpoint")).port);
    const addrs = listeners(port);
    expect(addrs.length).toBeGreaterThan(0);
    // 00000000 (0.0.0.0) or all-zero IPv6 (::) would be every interface.
    expect(addrs.filter((a) => !LOOPBACK.has(a))).toEqual([]);
  });
});
