/** TOTP against the RFC 6238 Appendix B test vectors, and the base32/otpauth pieces an app reads. */
import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, hotp, otpauthUri, totp, verifyTotp } from "#shared/identity/totp.ts";

const SEEDS = {
  sha1: Buffer.from("12345678901234567890"),
  sha256: Buffer.from("12345678901234567890123456789012"),
  sha512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234"),
};

// RFC 6238 Appendix B: time (s) → 8-digit TOTP for SHA1, SHA256, SHA512.
const VECTORS: [number, string, string, string][] = [
  [59, "94287082", "46119246", "90693936"],
  [1111111109, "07081804", "68084774", "25091201"],
  [1111111111, "14050471", "67062674", "99943326"],
  [1234567890, "89005924", "91819424", "93441116"],
  [2000000000, "69279037", "90698825", "38618901"],
  [20000000000, "65353130", "77737706", "47863826"],
];

describe("TOTP (RFC 6238)", () => {
  it.each(VECTORS)("matches the RFC test vectors at T=%i", (t, sha1, sha256, sha512) => {
    expect(totp(SEEDS.sha1, t * 1000, { digits: 8 })).toBe(sha1);
    expect(totp(SEEDS.sha256, t * 1000, { digits: 8, algorithm: "sha256" })).toBe(sha256);
    expect(totp(SEEDS.sha512, t * 1000, { digits: 8, algorithm: "sha512" })).toBe(sha512);
  });

  it("matches the RFC 4226 HOTP vectors (6 digits, SHA-1)", () => {
    const expected = [
      "755224",
      "287082",
      "359152",
      "969429",
      "338314",
      "254676",
      "287922",
      "162583",
      "399871",
      "520489",
    ];
    expect(expected.map((_, i) => hotp(SEEDS.sha1, i))).toEqual(expected);
  });

  it("accepts one step of drift either way, and never a step at or before the last one used", () => {
    const now = 1_700_000_000_000;
    const prev = totp(SEEDS.sha1, now - 30_000);
    const next = totp(SEEDS.sha1, now + 30_000);
    const step = Math.floor(now / 30_000);
    expect(verifyTotp(SEEDS.sha1, totp(SEEDS.sha1, now), now)).toBe(step);
    expect(verifyTotp(SEEDS.sha1, prev, now)).toBe(step - 1);
    expect(verifyTotp(SEEDS.sha1, next, now)).toBe(step + 1);
    expect(verifyTotp(SEEDS.sha1, totp(SEEDS.sha1, now - 60_000), now)).toBeNull();
    expect(verifyTotp(SEEDS.sha1, totp(SEEDS.sha1, now), now, { notAfterStep: step })).toBeNull();
    expect(verifyTotp(SEEDS.sha1, "12345", now)).toBeNull();
    expect(verifyTotp(SEEDS.sha1, "abcdef", now)).toBeNull();
  });
});

describe("base32 and otpauth URIs", () => {
  it("round-trips and matches RFC 4648 test vectors", () => {
    expect(base32Encode(Buffer.from("foobar"))).toBe("MZXW6YTBOI");
    expect(base32Encode(Buffer.from("f"))).toBe("MY");
    expect(base32Decode("MZXW6YTBOI").toString()).toBe("foobar");
    expect(base32Decode("mzxw 6ytb-oi======").toString()).toBe("foobar");
    expect(base32Encode(SEEDS.sha1)).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(() => base32Decode("0189")).toThrow();
  });

  it("builds the Key Uri Format an authenticator app scans", () => {
    const uri = new URL(otpauthUri({ issuer: "Warden", account: "ops01@acme", secret: "JBSWY3DPEHPK3PXP" }));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Warden:ops01@acme");
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: "JBSWY3DPEHPK3PXP",
      issuer: "Warden",
      algorithm: "SHA1",
      digits: "6",
      period: "30",
    });
  });
});
