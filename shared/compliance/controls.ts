/**
 * Security controls, created from a framework requirement (`framework` + `control_id`: name,
 * description and category come from the catalog unless given) or free-form (no framework: a name
 * is required). Status moves `not_implemented → implemented → verified`: PATCH/PUT set the first
 * two (and may drop a verified control back, which withdraws its verification); only
 * POST …/verify/ makes a control verified, and only an implemented one (409 otherwise).
 */
import type { Principal } from "#shared/identity/principal.ts";
import { Conflict, Invalid } from "#shared/kit/errors.ts";
import { findRequirement } from "./catalogs.ts";
import type { GrcScope } from "./enterprises.ts";
import { frameworkFilter, requireFramework } from "./frameworks.ts";
import {
  applyPatch,
  type Changes,
  createRecord,
  type GrcRecord,
  saveRecord,
  visibleRecord,
  visibleRecords,
} from "./records.ts";
import type { ControlCreate, ControlPatch } from "./schemas.ts";

export const PRIORITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

async function fromCatalog(input: { framework?: string | null; control_id: string }) {
  if (!input.framework) return { framework: undefined, requirement: undefined };
  const framework = requireFramework(input.framework, ["body", "framework"]);
  const requirement = await findRequirement(framework.id, input.control_id);
  if (!requirement) {
    throw new Invalid(`control_id: '${input.control_id}' is not a requirement of ${framework.name}`, [
      { loc: ["body", "control_id"], msg: `not a requirement of ${framework.id}`, type: "value_error" },
    ]);
  }
  return { framework: framework.id, requirement };
}

export async function createControl(scope: GrcScope, input: ControlCreate): Promise<GrcRecord> {
  const { framework, requirement } = await fromCatalog(input);
  const name = input.name ?? requirement?.title;
  if (!name) {
    throw new Invalid("name: a free-form control (no framework) needs a name", [
      { loc: ["body", "name"], msg: "required without a framework", type: "missing" },
    ]);
  }
  const { enterprise, framework: _ref, ...fields } = input;
  const doc = {
    ...fields,
    control_id: requirement?.label ?? requirement?.id ?? input.control_id,
    requirement_id: requirement?.id ?? null,
    name,
    description: input.description ?? requirement?.description ?? "",
    category: input.category ?? (requirement?.parent_id ? await categoryOf(framework, requirement.parent_id) : ""),
    verification_date: null,
    verified_by: null,
    verified_by_username: null,
    evidence_checks: [],
    status_reason: null,
  };
  return createRecord(scope, "control", { enterprise, framework, doc });
}

async function categoryOf(framework: string | undefined, parentId: string): Promise<string> {
  if (!framework) return "";
  return (await findRequirement(framework, parentId))?.title ?? "";
}

export async function listControls(scope: GrcScope, q: { enterprise?: string; framework?: string }) {
  return visibleRecords(scope, "control", { enterprise: q.enterprise, framework: frameworkFilter(q.framework) });
}

const VERIFICATION_CLEARED = { verification_date: null, verified_by: null, verified_by_username: null };

export async function updateControl(
  scope: GrcScope,
  id: string,
  input: ControlPatch & { framework?: string | null; control_id?: string },
): Promise<{ record: GrcRecord; changes: Changes }> {
  const r = await visibleRecord(scope, "control", id);
  const patch: Record<string, unknown> = { ...input };
  let framework = r.framework;
  if ("control_id" in input) {
    // PUT: the control may be re-pointed at another requirement (or made free-form).
    const { framework: f, requirement } = await fromCatalog({
      framework: input.framework,
      control_id: input.control_id ?? "",
    });
    framework = f;
    patch.framework = undefined;
    patch.control_id = requirement?.label ?? requirement?.id ?? input.control_id;
    patch.requirement_id = requirement?.id ?? null;
    if (patch.name === null) patch.name = requirement?.title ?? r.doc.name;
    if (patch.description === null) patch.description = requirement?.description ?? "";
    if (patch.category === null) patch.category = r.doc.category;
  }
  for (const k of ["name", "description", "category"]) if (patch[k] === null) delete patch[k];
  const { doc, changes } = applyPatch(r.doc, patch);
  if (changes.status && r.doc.status === "verified") Object.assign(doc, VERIFICATION_CLEARED, { status_reason: null });
  if (framework !== r.framework) changes.framework = { old: r.framework ?? null, new: framework ?? null };
  return { record: await saveRecord(r, doc, changes, framework), changes };
}

export async function verifyControl(
  scope: GrcScope,
  id: string,
  by: Principal,
  input: { test_results?: string; evidence_document?: string | null } = {},
): Promise<GrcRecord> {
  const r = await visibleRecord(scope, "control", id);
  if (r.doc.status === "not_implemented") {
    throw new Conflict(`Control ${id} is not implemented; mark it implemented before verifying it`);
  }
  const now = new Date().toISOString();
  const doc = {
    ...r.doc,
    ...(input.test_results !== undefined ? { test_results: input.test_results } : {}),
    ...(input.evidence_document !== undefined ? { evidence_document: input.evidence_document } : {}),
    status: "verified",
    status_reason: null,
    verification_date: now,
    verified_by: by.userId,
    verified_by_username: by.username,
  };
  return saveRecord(r, doc, { status: { old: r.doc.status, new: "verified" } });
}
