/**
 * Free text a person types — names, descriptions, reasons, notes — as every request schema takes
 * it: normalised to NFC, trimmed, bounded, and refused (400 naming the field) when it holds
 * control characters (NUL, escape sequences; line breaks unless the field is multi-line) or the
 * invisible bidirectional controls that make text display otherwise than it reads ("Trojan
 * Source": U+061C, U+200E/F, U+202A–E, U+2066–9). Markup is not refused: it is text, every answer
 * is JSON, and notifications are sent as plain text.
 */
import * as z from "zod/mini";

const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /[^\P{Cc}\n\t]/u;

export interface FreeTextOptions {
  max: number;
  min?: number;
  /** Allows line breaks and tabs (notes); other control characters stay refused. */
  multiline?: boolean;
}

export function freeText(opts: FreeTextOptions) {
  const control = opts.multiline ? CONTROL_BUT_LINES : CONTROL;
  return z.string().check(
    z.normalize("NFC"),
    z.trim(),
    z.minLength(opts.min ?? 0),
    z.maxLength(opts.max),
    z.refine(
      (s) => !control.test(s),
      opts.multiline ? "may not contain control characters" : "may not contain control characters or line breaks",
    ),
    z.refine((s) => !BIDI_CONTROLS.test(s), "may not contain bidirectional control characters"),
  );
}

/**
 * Declares a module-level schema so that bundlers can leave it out where nobody reads it: the
 * response schemas of views.ts files serve the tests and the OpenAPI document, and a function's
 * bundle carries only those of its own endpoint. Runs `build` at once. Write each call as
 * `/* @__PURE__ *\/ responseSchema(() => …)`: esbuild honours that mark across modules.
 */
export function responseSchema<T>(build: () => T): T {
  return build();
}
