/**
 * Request validation with zod (the `zod/mini` build, so a function bundle carries only the
 * validators it uses). Every issue names its field as a `loc` path: ["body", "email"].
 */

import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import { type FieldIssue, Invalid } from "./errors.ts";

// Only the English messages: `z.locales` would pull every locale into each bundle.
z.config(en());

export type Part = "path" | "query" | "body";

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function toFieldIssues(part: Part, error: z.core.$ZodError, input: unknown): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const loc = [part, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => ({ loc: [...loc, k], msg: "unknown field", type: "value_error.extra" }));
    }
    const missing = issue.code === "invalid_type" && valueAt(input, issue.path) === undefined;
    return [
      {
        loc,
        msg: missing ? "field required" : issue.message,
        type: missing ? "value_error.missing" : issue.code,
      },
    ];
  });
}

export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ");
}

export function validate<S extends z.core.$ZodType>(part: Part, schema: S, input: unknown): z.output<S> {
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const issues = toFieldIssues(part, result.error, input);
  throw new Invalid(describeIssues(issues), issues);
}
