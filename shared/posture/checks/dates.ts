/**
 * Ages, measured from the inventory's `collectedAt`, never from the clock: a check run twice on the
 * same inventory gives the same answer, and tests pin "now" by writing it into the fixture.
 */
const DAY_MS = 86_400_000;

/** Whole days from `iso` to `now` (ms); undefined when there is no date. */
export function daysSince(iso: string | undefined, now: number): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : Math.floor((now - t) / DAY_MS);
}

/**
 * A credential report cell as a date: the report writes "N/A", "no_information" or "not_supported"
 * where there is none.
 */
export function reportDate(cell: string | undefined): string | undefined {
  if (cell === undefined || Number.isNaN(Date.parse(cell))) return undefined;
  return cell;
}
