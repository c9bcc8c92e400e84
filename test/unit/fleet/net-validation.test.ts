/** What the firewall would choke on is refused at the API, with a sentence that says why. */
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import {
  checkCidr,
  checkInterface,
  checkIp,
  checkLogPrefix,
  checkPortSpec,
  checkPriority,
  isAnyAddress,
  schemas,
} from "#shared/fleet/net-validation.ts";

describe("checkCidr", () => {
  it.each([
    "10.0.0.5",
    "192.168.0.0/24",
    "0.0.0.0/0",
    "10.0.0.5/32",
    "::/0",
    "2001:db8::/32",
    "::1",
    "::ffff:192.0.2.1",
    "fe80::/10",
  ])("accepts %s", (value) => {
    expect(checkCidr(value)).toBeUndefined();
  });

  it("refuses host bits and names the network that was probably meant (IPv4 and IPv6)", () => {
    expect(checkCidr("192.168.1.5/24")).toBe("'192.168.1.5/24' has host bits set; the network is 192.168.1.0/24");
    expect(checkCidr("2001:db8::1/32")).toBe("'2001:db8::1/32' has host bits set; the network is 2001:db8::/32");
    expect(checkCidr("2001:db8:0:0:1::/64")).toContain("the network is 2001:db8::/64");
  });

  it("refuses prefixes outside the family's range and malformed addresses", () => {
    expect(checkCidr("10.0.0.0/33")).toMatch(/prefix length must be 0–32/);
    expect(checkCidr("2001:db8::/129")).toMatch(/prefix length must be 0–128/);
    expect(checkCidr("10.0.0.0/-1")).toMatch(/prefix length/);
    expect(checkCidr("10.0.0.0/")).toMatch(/prefix length/);
    for (const bad of ["300.1.1.1", "10.0.0", "010.0.0.1", "fe80::1%eth0", "1.2.3.4/8/9", "example.com", ""]) {
      expect(checkCidr(bad)).toBeDefined();
    }
  });

  it("checkIp refuses networks", () => {
    expect(checkIp("10.0.0.1")).toBeUndefined();
    expect(checkIp("10.0.0.0/8")).toBeDefined();
  });

  it("isAnyAddress knows both families' whole space", () => {
    expect(isAnyAddress("0.0.0.0/0")).toBe(true);
    expect(isAnyAddress("::/0")).toBe(true);
    expect(isAnyAddress(undefined)).toBe(true);
    expect(isAnyAddress("10.0.0.0/8")).toBe(false);
  });
});

describe("ports, priorities, interfaces, log prefixes", () => {
  it("accepts ports 1–65535 and ranges a-b with a ≤ b", () => {
    for (const ok of ["1", "22", "65535", "8000-8080", "443-443"]) expect(checkPortSpec(ok)).toBeUndefined();
    expect(checkPortSpec("0")).toMatch(/not in 1–65535/);
    expect(checkPortSpec("65536")).toMatch(/not in 1–65535/);
    expect(checkPortSpec("9000-8000")).toMatch(/start must not exceed its end/);
    expect(checkPortSpec("22,80")).toMatch(/not a port/);
    expect(checkPortSpec("http")).toMatch(/not a port/);
  });

  it("bounds priorities to integers in 1–10000", () => {
    expect(checkPriority(1)).toBeUndefined();
    expect(checkPriority(10000)).toBeUndefined();
    expect(checkPriority(0)).toBeDefined();
    expect(checkPriority(10001)).toBeDefined();
    expect(checkPriority(1.5)).toBeDefined();
  });

  it("allows Linux interface names only (≤ 15 characters)", () => {
    expect(checkInterface("eth0")).toBeUndefined();
    expect(checkInterface("br-lan.10")).toBeUndefined();
    expect(checkInterface("a-very-long-ifname")).toBeDefined();
    expect(checkInterface("eth0; drop")).toBeDefined();
  });

  it("keeps log prefixes within nft's and the edge contract's limits: ≤ 64 characters, no quotes", () => {
    expect(checkLogPrefix("NTP_TRAFFIC")).toBeUndefined();
    expect(checkLogPrefix("x".repeat(64))).toBeUndefined();
    expect(checkLogPrefix("x".repeat(65))).toMatch(/1–64/);
    expect(checkLogPrefix("x".repeat(128))).toMatch(/1–64/);
    expect(checkLogPrefix('say "hi"')).toMatch(/quotes/);
    expect(checkLogPrefix("new\nline")).toMatch(/printable/);
  });
});

describe("schemas", () => {
  it("upper-case protocols, chains and actions and list the allowed values", () => {
    expect(z.parse(schemas.protocol, "udp")).toBe("UDP");
    expect(z.parse(schemas.chain, "input")).toBe("INPUT");
    const bad = z.safeParse(schemas.action, "ALLOW");
    expect(bad.error?.issues[0]?.message).toBe("action must be one of ACCEPT, DROP, REJECT");
  });

  it("read a port given as a number or a string", () => {
    expect(z.parse(schemas.portSpec, 123)).toBe("123");
    expect(z.parse(schemas.portSpec, "8000-8080")).toBe("8000-8080");
    expect(z.safeParse(schemas.portSpec, 70000).success).toBe(false);
  });
});
