/**
 * The securenet legacy endpoints (issue 14's list) as a whole: each row is marked deprecated and
 * names a successor that is a route (or stream) of this API, and each answers, on success and on
 * error, with `Deprecation: @<since>` (RFC 9745) and `Link: <successor>; rel="successor-version"`.
 * The two scan aliases are called for real in test/integration/scans/scan.test.ts (they start a
 * gateway scan); here they are held to the same row contract, which the endpoint kit renders.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";
import { deprecationHeaders, type RouteDef } from "#shared/kit/route.ts";
import { STREAMS } from "#shared/realtime/streams.ts";

const { call, newTenant } = await import("#test/helpers/api.ts");

const LEGACY = [
  "GET /api/logs",
  "GET /api/anomalies",
  "GET /api/network",
  "GET /api/security",
  "POST /api/network/scan",
  "POST /api/security/scan",
  "GET /api/notifications",
] as const;
const READS = LEGACY.filter((k) => k.startsWith("GET "));

const rowOf = (key: string): RouteDef | undefined => routes.find((r) => `${r.method} ${r.path}` === key);

let admin: Awaited<ReturnType<typeof newTenant>>;
beforeAll(async () => {
  admin = await newTenant("legacy-deprecation");
}, 60_000);

describe("the legacy rows", () => {
  it.each(LEGACY)("%s is deprecated since a date and names a successor this API serves", (key) => {
    // Arrange
    const row = rowOf(key);
    const served = new Set([...routes.map((r) => r.path), ...Object.values(STREAMS).map((s) => s.path)]);

    // Assert
    expect(row?.surface).toBe("securenet");
    expect(row?.deprecated).toBeDefined();
    const { since, successor } = row?.deprecated ?? { since: "", successor: "" };
    expect(Number.isNaN(Date.parse(since))).toBe(false);
    expect(served.has(successor)).toBe(true);
    expect(successor).not.toBe(row?.path);
  });
});

describe("the legacy reads answer with Deprecation and the successor Link", () => {
  it.each(READS)("%s, on success", async (key) => {
    // Arrange
    const row = rowOf(key) as RouteDef;

    // Act
    const res = await call("GET", row.path, { token: admin.token });

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("success");
    expect(res.headers).toMatchObject(deprecationHeaders(row.deprecated as NonNullable<RouteDef["deprecated"]>));
  });

  it.each(READS)("%s, on a refusal (no credentials)", async (key) => {
    // Arrange
    const row = rowOf(key) as RouteDef;

    // Act
    const res = await call("GET", row.path, {});

    // Assert
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AUTHENTICATION_FAILED");
    expect(res.headers).toMatchObject(deprecationHeaders(row.deprecated as NonNullable<RouteDef["deprecated"]>));
  });
});
