/**
 * Security policies: at most one per enterprise (a second create is a 409 naming the existing
 * policy), every field range-checked by the schema, frameworks stored by catalog id.
 */
import { Conflict } from "#shared/kit/errors.ts";
import { policyOfEnterprise } from "./db/records.ts";
import { type GrcScope, requireEnterprise } from "./enterprises.ts";
import { frameworkDisplayName, frameworkFilter, requireFramework } from "./frameworks.ts";
import {
  applyPatch,
  type Changes,
  createRecord,
  type GrcRecord,
  saveRecord,
  visibleRecord,
  visibleRecords,
} from "./records.ts";
import type { PolicyCreate, PolicyPatch } from "./schemas.ts";

function resolveFrameworks<T extends { primary_framework?: string | null; frameworks?: string[] }>(input: T): T {
  const out = { ...input };
  if (input.primary_framework)
    out.primary_framework = requireFramework(input.primary_framework, ["body", "primary_framework"]).id;
  if (input.frameworks)
    out.frameworks = [...new Set(input.frameworks.map((f, i) => requireFramework(f, ["body", "frameworks", i]).id))];
  return out;
}

export async function createPolicy(scope: GrcScope, input: PolicyCreate): Promise<GrcRecord> {
  requireEnterprise(scope, input.enterprise, ["body", "enterprise"]);
  const { enterprise, ...fields } = resolveFrameworks(input);
  try {
    return await createRecord(scope, "policy", {
      enterprise,
      framework: fields.primary_framework,
      doc: fields,
    });
  } catch (e) {
    if (!(e instanceof Conflict)) throw e;
    const existing = await policyOfEnterprise(scope.tenantId, enterprise);
    throw new Conflict(
      `Enterprise ${enterprise} already has a security policy (id ${existing ?? "unknown"}); update it instead`,
    );
  }
}

export async function listPolicies(scope: GrcScope, q: { enterprise?: string; primary_framework?: string }) {
  const framework = frameworkFilter(q.primary_framework);
  return visibleRecords(scope, "policy", { enterprise: q.enterprise, framework });
}

/** PATCH (a subset) or PUT (every field, defaults for those left out). */
export async function updatePolicy(
  scope: GrcScope,
  id: string,
  input: PolicyPatch,
): Promise<{ record: GrcRecord; changes: Changes }> {
  const r = await visibleRecord(scope, "policy", id);
  const resolved = resolveFrameworks(input);
  const { doc, changes } = applyPatch(r.doc, resolved);
  const framework = (doc.primary_framework as string | null) ?? undefined;
  return { record: await saveRecord(r, doc, changes, framework), changes };
}

export function complianceSummary(r: GrcRecord) {
  const d = r.doc;
  const ids = [d.primary_framework, ...((d.frameworks as string[] | undefined) ?? [])].filter(
    (f): f is string => typeof f === "string",
  );
  return {
    policy_id: r.id,
    enterprise: r.enterprise,
    frameworks: [...new Set(ids)].map((f) => frameworkDisplayName(f) ?? f),
    summary: {
      mfa_enabled: d.mfa_required === true,
      encryption_enabled: d.encryption_at_rest === true,
      audit_logging: d.enable_audit_logging === true,
      backup_enabled: d.enable_backups === true,
      vulnerability_scanning: d.enable_vuln_scanning === true,
    },
    updated_at: r.updatedAt,
  };
}
