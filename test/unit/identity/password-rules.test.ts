/** The password checks every password-setting route enforces, against the policy presets. */
import { describe, expect, it } from "vitest";
import { DEFAULT_AUTH_POLICY, PASSWORD_PROFILES } from "#shared/identity/auth-policy.ts";
import { assertPasswordMeetsPolicy, checkPassword, hasSequence, isCommon } from "#shared/identity/password-rules.ts";

const policy = DEFAULT_AUTH_POLICY.password_policy;

describe("checkPassword against the default policy (the spec example's settings)", () => {
  it("passes a long mixed password and counts each character class", () => {
    const { checks, issues } = checkPassword("MySecurePass123!", policy, { username: "user01" });
    expect(issues).toEqual([]);
    expect(checks).toEqual({
      length: { passed: true, actual: 16, required: 8 },
      uppercase: { passed: true, count: 3 },
      lowercase: { passed: true, count: 9 },
      numbers: { passed: true, count: 3 },
      special: { passed: true, count: 1 },
      sequential: { passed: true },
      common: { passed: true },
      username_match: { passed: true },
      reuse: { passed: true },
    });
  });

  it("names every rule a weak password breaks", () => {
    const { checks, issues } = checkPassword("abcd", policy, { username: "abcd", reused: true });
    expect(
      Object.entries(checks)
        .filter(([, c]) => !c.passed)
        .map(([k]) => k),
    ).toEqual(["length", "uppercase", "numbers", "special", "sequential", "username_match", "reuse"]);
    expect(issues).toContain("must be at least 8 characters");
  });

  it("catches common passwords by their stem and sequences in either direction", () => {
    expect(isCommon("Password123!")).toBe(true);
    expect(isCommon("Welcome2025#")).toBe(true);
    expect(isCommon("Tugboat-Marmalade")).toBe(false);
    expect(hasSequence("xx4321yy")).toBe(true);
    expect(hasSequence("zzzz")).toBe(true);
    expect(hasSequence("Qwer")).toBe(true);
    expect(hasSequence("a1b2c3d4")).toBe(false);
  });

  it("throws a 400 that names the field", () => {
    expect(() => assertPasswordMeetsPolicy("short", policy, { field: "new_password" })).toThrowError(
      /^body\.new_password: /,
    );
  });
});

describe("policy profiles", () => {
  it("NIST SP 800-63B: 15 characters, no composition rules, blocklist on", () => {
    const nist = PASSWORD_PROFILES.nist;
    expect(checkPassword("Tugboat-Violet", nist).issues).toEqual(["must be at least 15 characters"]);
    expect(checkPassword("violet tugboat marmalade", nist).issues).toEqual([]);
    expect(checkPassword("passwordpassword", nist).issues).toEqual(["is a commonly used password"]);
  });

  it("CIS: 14 characters with all four classes", () => {
    const cis = PASSWORD_PROFILES.cis;
    expect(checkPassword("violet tugboat marmalade", cis).issues).toEqual([
      "must contain an uppercase letter",
      "must contain a number",
    ]);
    expect(checkPassword("Violet-Tugboat-42", cis).issues).toEqual([]);
    expect(cis).toMatchObject({ history_size: 24, expiry_days: 90, min_length: 14 });
  });
});
