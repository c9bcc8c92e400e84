/**
 * Reading resource and identity policies: who a statement lets in, and what it lets them do.
 * Deliberately conservative in one direction only: a statement is "public" unless a condition
 * pins it to known accounts, organisations, networks or sources, so a missed nuance shows up
 * as a finding to review rather than as silence.
 */
import type { PolicyDocument, PolicyStatement } from "../inventory.ts";

// Condition keys that tie a request to something the owner controls (Prowler's policy library reads
// conditions the same way). Lower-case: IAM condition keys are case-insensitive.
const RESTRICTING_KEYS = new Set([
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:sourcearn",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:sourceip",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:resourceaccount",
  "aws:userid",
  "aws:username",
  "kms:calleraccount",
]);
const ANYWHERE = new Set(["*", "0.0.0.0/0", "::/0"]);

/** Whether a principal names everyone (anonymous or any AWS account). */
export function isPublicPrincipal(principal: Record<string, string[]> | undefined): boolean {
  if (!principal) return false;
  const aws = principal.AWS ?? [];
  const canonical = principal.CanonicalUser ?? [];
  return aws.some((p) => p === "*" || p === "arn:aws:iam::*:root") || canonical.includes("*");
}

function isRestrictedByCondition(statement: PolicyStatement): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition)) {
    // Negated operators carve exceptions out of "everyone"; they do not narrow it to someone.
    if (/not/i.test(operator) || /ifexists$/i.test(operator)) continue;
    for (const [key, values] of Object.entries(keys)) {
      if (RESTRICTING_KEYS.has(key.toLowerCase()) && values.length > 0 && !values.some((v) => ANYWHERE.has(v))) {
        return true;
      }
    }
  }
  return false;
}

/** The statements that allow anyone in, unconditionally. */
export function publicAllowStatements(doc: PolicyDocument | null | undefined): PolicyStatement[] {
  if (!doc) return [];
  return doc.Statement.filter(
    (s) =>
      s.Effect === "Allow" &&
      (isPublicPrincipal(s.Principal) || s.NotPrincipal !== undefined) &&
      !isRestrictedByCondition(s),
  );
}

const globCache = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    re = new RegExp(`^${body}$`, "i");
    globCache.set(pattern, re);
  }
  return re;
}

/** Whether a statement's Action (or everything outside its NotAction) covers `action`. */
export function statementCovers(statement: PolicyStatement, action: string): boolean {
  if (statement.NotAction) return !statement.NotAction.some((p) => glob(p).test(action));
  return statement.Action.some((p) => glob(p).test(action));
}

/** Whether a document allows every action on every resource (the "*:*" administrator grant). */
export function allowsFullAdmin(doc: PolicyDocument): boolean {
  return doc.Statement.some(
    (s) =>
      s.Effect === "Allow" &&
      s.NotAction === undefined &&
      s.Action.some((a) => a === "*" || a === "*:*") &&
      s.Resource.includes("*"),
  );
}

/** Whether a bucket policy refuses every request made without TLS. */
export function deniesInsecureTransport(doc: PolicyDocument | null): boolean {
  if (!doc) return false;
  return doc.Statement.some((s) => {
    if (s.Effect !== "Deny" || !isPublicPrincipal(s.Principal)) return false;
    if (!statementCovers(s, "s3:GetObject") || !statementCovers(s, "s3:PutObject")) return false;
    return Object.entries(s.Condition).some(
      ([operator, keys]) =>
        /^bool(ifexists)?$/i.test(operator) &&
        Object.entries(keys).some(
          ([key, values]) => key.toLowerCase() === "aws:securetransport" && values.includes("false"),
        ),
    );
  });
}
