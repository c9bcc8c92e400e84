/**
 * Password strength estimation with zxcvbn-ts (pattern matching against ~40k common passwords,
 * keyboard walks, dates, repeats, l33t), and the test-password route's assessment built on it.
 * Its dictionaries are large (~470 KB bundled), so only the test-password function imports this
 * module (test/infra/app.test.ts checks that no other bundle carries them), and even there they are
 * imported on first use (a chunk of their own beside the bundle, not compiled at a cold start); the
 * estimator is then built once per container.
 */
import type { TranslationKeys, ZxcvbnFactory } from "@zxcvbn-ts/core";
import { getAuthPolicy } from "./auth-policy.ts";
import { checkPassword, type PasswordChecks, policySuggestions } from "./password-rules.ts";

/** English texts for zxcvbn's feedback keys (the language-en package is not a dependency). */
const translations: TranslationKeys = {
  warnings: {
    straightRow: "Straight rows of keys on your keyboard are easy to guess.",
    keyPattern: "Short keyboard patterns are easy to guess.",
    simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
    extendedRepeat: 'Repeated character patterns like "abcabcabc" are easy to guess.',
    sequences: 'Common character sequences like "abc" are easy to guess.',
    recentYears: "Recent years are easy to guess.",
    dates: "Dates are easy to guess.",
    topTen: "This is a heavily used password.",
    topHundred: "This is a frequently used password.",
    common: "This is a commonly used password.",
    similarToCommon: "This is similar to a commonly used password.",
    wordByItself: "Single words are easy to guess.",
    namesByThemselves: "Single names or surnames are easy to guess.",
    commonNames: "Common names and surnames are easy to guess.",
    userInputs: "There should not be any personal or account-related data.",
    pwned: "This password was exposed by a data breach on the Internet.",
  },
  suggestions: {
    l33t: "Avoid predictable letter substitutions like '@' for 'a'.",
    reverseWords: "Avoid reversed spellings of common words.",
    allUppercase: "Capitalize some, but not all letters.",
    capitalization: "Capitalize more than the first letter.",
    dates: "Avoid dates and years that are associated with you.",
    recentYears: "Avoid recent years.",
    associatedYears: "Avoid years that are associated with you.",
    sequences: "Avoid common character sequences.",
    repeated: "Avoid repeated words and characters.",
    longerKeyboardPattern: "Use longer keyboard patterns and change typing direction multiple times.",
    anotherWord: "Add more words that are less common.",
    useWords: "Use multiple words, but avoid common phrases.",
    noNeed: "You can create strong passwords without using symbols, numbers, or uppercase letters.",
    pwned: "If you use this password elsewhere, you should change it.",
  },
  timeEstimation: {
    ltSecond: "less than a second",
    second: "{base} second",
    seconds: "{base} seconds",
    minute: "{base} minute",
    minutes: "{base} minutes",
    hour: "{base} hour",
    hours: "{base} hours",
    day: "{base} day",
    days: "{base} days",
    month: "{base} month",
    months: "{base} months",
    year: "{base} year",
    years: "{base} years",
    centuries: "centuries",
  },
};

let zxcvbn: Promise<ZxcvbnFactory> | undefined;
const estimator = (): Promise<ZxcvbnFactory> => {
  zxcvbn ??= Promise.all([import("@zxcvbn-ts/core"), import("@zxcvbn-ts/language-common")]).then(
    ([core, common]) =>
      new core.ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs, translations }),
  );
  return zxcvbn;
};

export type StrengthLabel = "very weak" | "weak" | "fair" | "good" | "strong";

export interface Strength {
  /** 0–100: log10 of the estimated guesses, 10^15 guesses (centuries at 10k guesses/s) being 100. */
  score: number;
  strength: StrengthLabel;
  /** Time to crack offline against a slow hash (scrypt here) at 10k guesses per second. */
  estimatedCrackTime: string;
  warning: string | null;
  suggestions: string[];
}

export async function estimateStrength(password: string, userInputs: string[] = []): Promise<Strength> {
  const r = (await estimator()).check(password, userInputs);
  const score = Math.max(0, Math.min(100, Math.round((r.guessesLog10 / 15) * 100)));
  const strength: StrengthLabel =
    score >= 80 ? "strong" : score >= 60 ? "good" : score >= 40 ? "fair" : score >= 20 ? "weak" : "very weak";
  return {
    score,
    strength,
    estimatedCrackTime: r.crackTimes.offlineSlowHashingXPerSecond.display,
    warning: r.feedback.warning,
    suggestions: r.feedback.suggestions,
  };
}

export interface PasswordAssessment {
  strength: StrengthLabel;
  score: number;
  meetsPolicy: boolean;
  issues: string[];
  suggestions: string[];
  checks: PasswordChecks;
  estimatedCrackTime: string;
}

/**
 * Tests a candidate password against the tenant's current policy and estimates its strength,
 * without setting anything (POST /authentication/test-password). `oldPasswords` stand in for the
 * history the reuse rule would check.
 */
export async function assessPassword(
  tenantId: string,
  input: { password: string; username: string; oldPasswords?: string[] },
): Promise<PasswordAssessment> {
  const policy = await getAuthPolicy(tenantId);
  const reused = (input.oldPasswords ?? []).includes(input.password);
  const { checks, issues } = checkPassword(input.password, policy.password_policy, {
    username: input.username,
    reused,
  });
  const strength = await estimateStrength(input.password, [input.username]);
  const suggestions = [
    ...new Set([
      ...policySuggestions(checks, policy.password_policy),
      ...(strength.warning ? [strength.warning] : []),
      ...strength.suggestions,
    ]),
  ];
  return {
    strength: strength.strength,
    score: strength.score,
    meetsPolicy: issues.length === 0,
    issues,
    suggestions,
    checks,
    estimatedCrackTime: strength.estimatedCrackTime,
  };
}
