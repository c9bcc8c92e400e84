/**
 * Training data: a CSV with a header row. Read with csv-parse's streaming parser, one record at a
 * time, and checked as it goes, so the first bad cell answers 400 naming its row and column (rows
 * are counted from 1 after the header, as a spreadsheet shows them, plus one for the header).
 *
 * Columns:
 *   - `timestamp` (optional): an ISO 8601 time; not a feature;
 *   - `is_anomaly` (optional): 0/1 or true/false; the label the evaluation measures accuracy on;
 *   - every other column is a numeric feature (finite numbers; at least one feature column).
 * Names are identifiers (`cpu_usage`), unique, at most 64 characters, at most 64 columns.
 */
import { parse } from "csv-parse";
import { Invalid } from "#shared/kit/errors.ts";

/** What an upload may weigh: within a Lambda request's 6 MB payload once base64-encoded. */
export const MAX_CSV_BYTES = 4 * 1024 * 1024;
export const MAX_COLUMNS = 64;
/** Rows a training file may hold (100,000 at 4 features fits in a task's memory and 120 s with room). */
export const MAX_ROWS = 200_000;

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const NON_FEATURES = new Set(["timestamp", "is_anomaly"]);

export interface TrainingData {
  columns: string[];
  features: string[];
  rows: number[][];
  /** 1 = anomaly, per row; null when the file has no `is_anomaly` column. */
  labels: (0 | 1)[] | null;
}

const bad = (message: string, loc: (string | number)[] = ["body", "file"]) =>
  new Invalid(message, [{ loc, msg: message, type: "value_error" }]);

function checkHeader(header: string[]): { features: string[]; featureAt: number[]; labelAt: number; timeAt: number } {
  if (header.length === 0) throw bad("file: the header row is empty");
  if (header.length > MAX_COLUMNS) throw bad(`file: ${header.length} columns; at most ${MAX_COLUMNS}`);
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (!NAME.test(name)) {
      throw bad(
        `file: header column ${i + 1} '${name.slice(0, 40)}' is not a column name (letters, digits, _; not starting with a digit)`,
      );
    }
    if (seen.has(name)) throw bad(`file: header column '${name}' appears twice`);
    seen.add(name);
  });
  const featureAt = header.flatMap((name, i) => (NON_FEATURES.has(name) ? [] : [i]));
  if (featureAt.length === 0)
    throw bad("file: no feature column: at least one numeric column besides timestamp and is_anomaly");
  return {
    features: featureAt.map((i) => header[i] as string),
    featureAt,
    labelAt: header.indexOf("is_anomaly"),
    timeAt: header.indexOf("timestamp"),
  };
}

function label(cell: string): 0 | 1 | undefined {
  const v = cell.trim().toLowerCase();
  if (v === "1" || v === "true") return 1;
  if (v === "0" || v === "false") return 0;
  return undefined;
}

/** Parses and checks a training CSV; throws 400 (`Invalid`) naming the first bad row and column. */
export async function readTrainingCsv(data: Buffer): Promise<TrainingData> {
  if (data.length === 0) throw bad("file: empty");
  if (data.length > MAX_CSV_BYTES) throw bad(`file: ${data.length} bytes; at most ${MAX_CSV_BYTES} bytes (4 MiB)`);
  const parser = parse(data, {
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: false,
    max_record_size: 64 * 1024,
  });
  let header: ReturnType<typeof checkHeader> | undefined;
  let columns: string[] = [];
  const rows: number[][] = [];
  const labels: (0 | 1)[] = [];
  let line = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        columns = record;
        header = checkHeader(record);
        continue;
      }
      line++;
      if (rows.length >= MAX_ROWS) throw bad(`file: more than ${MAX_ROWS} rows`);
      const h = header;
      if (h.timeAt >= 0) {
        const t = record[h.timeAt] ?? "";
        if (t !== "" && Number.isNaN(Date.parse(t)))
          throw bad(`file: row ${line}, column 'timestamp': '${t.slice(0, 40)}' is not a time`);
      }
      const values = h.featureAt.map((i) => {
        const cell = record[i] ?? "";
        const v = cell === "" ? Number.NaN : Number(cell);
        if (!Number.isFinite(v)) {
          throw bad(`file: row ${line}, column '${columns[i]}': '${cell.slice(0, 40)}' is not a number`);
        }
        return v;
      });
      if (h.labelAt >= 0) {
        const l = label(record[h.labelAt] ?? "");
        if (l === undefined) throw bad(`file: row ${line}, column 'is_anomaly': must be 0, 1, true or false`);
        labels.push(l);
      }
      rows.push(values);
    }
  } catch (e) {
    if (e instanceof Invalid) throw e;
    // csv-parse's own errors (unclosed quote, a row with another column count) carry the line.
    const err = e as { code?: string; lines?: number; message?: string };
    throw bad(`file: not a valid CSV at line ${err.lines ?? "?"}: ${(err.message ?? "parse error").slice(0, 200)}`);
  }
  if (!header) throw bad("file: no header row");
  if (rows.length === 0) throw bad("file: no data rows after the header");
  return { columns, features: header.features, rows, labels: header.labelAt >= 0 ? labels : null };
}
