/**
 * The GRC surface's pure rules: DRF ordering, search and paging, and the priority-weighted
 * compliance score.
 */
import { describe, expect, it } from "vitest";
import { complianceScore } from "#shared/compliance/dashboards.ts";
import type { GrcRecord } from "#shared/compliance/db/records.ts";
import { ordered, paginate, searched } from "#shared/compliance/drf.ts";

const control = (priority: string, status: string): GrcRecord => ({
  type: "GrcRecord",
  tenantId: "t",
  kind: "control",
  id: `${priority}-${status}`,
  enterprise: "e",
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  doc: { priority, status },
  version: 1,
});

describe("complianceScore", () => {
  it("weights controls by priority and credits implemented controls half", () => {
    // critical verified 4×1, high implemented 3×0.5, low not implemented 1×0 → 5.5 / 8
    const score = complianceScore([
      control("critical", "verified"),
      control("high", "implemented"),
      control("low", "not_implemented"),
    ]);
    expect(score).toBe(68.75);
  });

  it("is 0 with no controls and 100 when every control is verified", () => {
    expect(complianceScore([])).toBe(0);
    expect(complianceScore([control("low", "verified"), control("critical", "verified")])).toBe(100);
  });
});

describe("DRF helpers", () => {
  const rows = [
    { n: "b", v: 2 },
    { n: "a", v: null },
    { n: "c", v: 1 },
  ];
  const fields = { n: (r: (typeof rows)[number]) => r.n, v: (r: (typeof rows)[number]) => r.v };

  it("orders by a field, reversed with '-', nulls last ascending", () => {
    expect(ordered(rows, "v", fields, "n").map((r) => r.n)).toEqual(["c", "b", "a"]);
    expect(ordered(rows, "-n", fields, "n").map((r) => r.n)).toEqual(["c", "b", "a"]);
    expect(ordered(rows, undefined, fields, "n").map((r) => r.n)).toEqual(["a", "b", "c"]);
  });

  it("refuses an unknown ordering field, naming it", () => {
    expect(() => ordered(rows, "secret", fields, "n")).toThrow(/secret/);
  });

  it("searches case-insensitively", () => {
    expect(searched(rows, "B", [(r) => r.n]).map((r) => r.n)).toEqual(["b"]);
    expect(searched(rows, undefined, [(r) => r.n])).toHaveLength(3);
  });

  it("pages with next and previous links that keep the other parameters", () => {
    const items = Array.from({ length: 5 }, (_, i) => i);
    const p = paginate(items, { page: 2, page_size: 2 }, "/x/", { page: 2, page_size: 2, status: "open" });
    expect(p).toEqual({
      count: 5,
      next: "/x/?page_size=2&status=open&page=3",
      previous: "/x/?page_size=2&status=open",
      results: [2, 3],
    });
    expect(() => paginate(items, { page: 4, page_size: 2 }, "/x/", {})).toThrow(/Invalid page/);
    expect(paginate([], {}, "/x/", {})).toEqual({ count: 0, next: null, previous: null, results: [] });
  });
});
