/**
 * Django REST Framework list conventions, as the GRC spec's clients expect them: page-number
 * pagination (`page`, `page_size` ≤ 100, an answer `{count, next, previous, results}` whose
 * `next`/`previous` are the same path and query with another page), `ordering` over the fields a
 * list names (a leading `-` reverses; several may be given, comma-separated) and `search`
 * (case-insensitive substring over the fields a list names).
 *
 * A list reads its whole filtered set with Queries on the narrowest index (by enterprise or by
 * framework) before ordering and paging it: DRF's `count` and arbitrary `ordering` need the whole
 * set, and a tenant's GRC records are bounded (the bench measures 1,000 controls).
 */
import * as z from "zod/mini";
import { Invalid, NotFound } from "#shared/kit/errors.ts";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

/** The query fields every GRC list takes. */
export const pageFields = {
  page: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(1_000_000))),
  page_size: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_PAGE_SIZE))),
  ordering: z.optional(z.string().check(z.maxLength(200))),
};
export const searchField = { search: z.optional(z.string().check(z.maxLength(200))) };

export interface PageQuery {
  page?: number;
  page_size?: number;
  ordering?: string;
  search?: string;
}

export interface DrfPage<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

type Sortable = string | number | boolean | null | undefined;

/**
 * Orders `rows` by `ordering` ("created_at", "-priority,created_at"), each field read by
 * `fields[name]`; an unknown field is a 400 naming it. Ties keep `fallback` order. Nulls sort last
 * ascending and first descending, as PostgreSQL does under DRF.
 */
export function ordered<T>(
  rows: T[],
  ordering: string | undefined,
  fields: Record<string, (row: T) => Sortable>,
  fallback: string,
): T[] {
  const spec = (ordering ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const keys = spec.map((s) => {
    const desc = s.startsWith("-");
    const name = desc ? s.slice(1) : s;
    const read = fields[name];
    if (!read) {
      throw new Invalid(`ordering: '${name}' is not one of ${Object.keys(fields).join(", ")}`, [
        { loc: ["query", "ordering"], msg: `cannot order by '${name}'`, type: "value_error" },
      ]);
    }
    return { desc, read };
  });
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const c = compare(k.read(a), k.read(b));
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  });
}

function compare(a: Sortable, b: Sortable): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Rows whose `fields` contain `search` (case-insensitive); all rows without a search. */
export function searched<T>(rows: T[], search: string | undefined, fields: ((row: T) => unknown)[]): T[] {
  const term = search?.trim().toLowerCase();
  if (!term) return rows;
  return rows.filter((r) =>
    fields.some((f) =>
      String(f(r) ?? "")
        .toLowerCase()
        .includes(term),
    ),
  );
}

/**
 * One page of `rows`. `path` is the request's path and `query` its query; `next` and `previous`
 * keep every parameter and change `page` only. A page past the end is a 404, as in DRF.
 */
export function paginate<T>(
  rows: T[],
  q: PageQuery,
  path: string,
  query: Record<string, unknown> | undefined,
): DrfPage<T> {
  const size = q.page_size ?? DEFAULT_PAGE_SIZE;
  const page = q.page ?? 1;
  const pages = Math.max(1, Math.ceil(rows.length / size));
  if (page > pages) throw new NotFound("Invalid page.");
  const link = (n: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && k !== "page") params.set(k, String(v));
    if (n > 1) params.set("page", String(n));
    const qs = params.toString();
    return qs ? `${path}?${qs}` : path;
  };
  return {
    count: rows.length,
    next: page < pages ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    results: rows.slice((page - 1) * size, page * size),
  };
}

/** The zod schema of a page of `item`s. */
export function pageOf<S extends z.core.$ZodType>(item: S) {
  return z.object({
    count: z.number(),
    next: z.nullable(z.string()),
    previous: z.nullable(z.string()),
    results: z.array(item),
  });
}
