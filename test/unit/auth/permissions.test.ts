import { describe, expect, it } from "vitest";
import { coversAll, grants, hasPermission } from "#shared/auth/permissions.ts";

describe("permissions", () => {
  it("grants wildcards, resource wildcards and the admin > write > read ladder", () => {
    expect(grants("*", "users:admin")).toBe(true);
    expect(grants("users:*", "users:write")).toBe(true);
    expect(grants("users:admin", "users:read")).toBe(true);
    expect(grants("users:write", "users:read")).toBe(true);
    expect(grants("users:read", "users:write")).toBe(false);
    expect(grants("devices:admin", "users:read")).toBe(false);
    expect(grants("devices:maintenance", "devices:read")).toBe(false);
  });

  it("lets nobody hand out a permission they do not hold", () => {
    expect(coversAll(["users:write", "devices:read"], ["devices:read"])).toBe(true);
    expect(coversAll(["users:write"], ["*"])).toBe(false);
    expect(hasPermission(["devices:read"], "authenticated")).toBe(true);
  });
});
