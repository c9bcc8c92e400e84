/**
 * Enterprises (organisational units inside a tenant: subsidiaries, an MSP's clients) and who may
 * see which: the GRC spec's "Staff/Admin" are the tenant's administrators — callers holding
 * `compliance:admin` — and see every enterprise of their tenant; "enterprise members" are users
 * whose `enterprises` list names the enterprise, and see only those; anyone else is refused
 * (403). Nothing of another tenant is ever found (404).
 *
 * Every tenant has one enterprise named after its organisation. It is made on the tenant's first
 * GRC request rather than at sign-up, so tenants that signed up before the GRC surface existed get
 * one too and sign-up stays free of GRC writes; its id is derived from the tenant id, so two first
 * requests racing make the same enterprise once (the conditional put lets one win).
 */
import { createHash, randomUUID } from "node:crypto";
import { hasPermission } from "#shared/auth/permissions.ts";
import type { Principal } from "#shared/identity/principal.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "#shared/kit/errors.ts";
import { checklistTemplates } from "./checklist-templates.ts";
import { type GrcRecord, getRecord, listRecords, type NewRecord, putRecords, updateRecord } from "./db/records.ts";

export interface GrcScope {
  tenantId: string;
  /** Holds `compliance:admin` (an API key: also in its scopes): every enterprise of the tenant. */
  admin: boolean;
  /** Every enterprise of the tenant. */
  all: GrcRecord[];
  /** The enterprises this caller may see. */
  visible: Set<string>;
  principal: Principal;
}

function holds(p: Principal, permission: string): boolean {
  return hasPermission(p.permissions, permission) && (!p.apiKey || hasPermission(p.apiKey.scopes, permission));
}

/** The tenant's default enterprise id: a UUID derived from the tenant id. */
export function defaultEnterpriseId(tenantId: string): string {
  const h = createHash("sha256").update(`warden-grc-enterprise:${tenantId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A new enterprise's records: itself and one hardening checklist per system type, from the templates. */
export function newEnterpriseRecords(
  tenantId: string,
  e: { id: string; name: string; description: string },
  now: string,
): NewRecord[] {
  const enterprise: NewRecord = {
    tenantId,
    kind: "enterprise",
    id: e.id,
    enterprise: e.id,
    createdAt: now,
    updatedAt: now,
    doc: { name: e.name, description: e.description },
  };
  const checklists: NewRecord[] = checklistTemplates().map((t) => ({
    tenantId,
    kind: "checklist",
    id: randomUUID(),
    enterprise: e.id,
    createdAt: now,
    updatedAt: now,
    doc: {
      system_type: t.system_type,
      name: t.name,
      description: t.description,
      items: t.items.map((i) => ({ ...i, completed: false })),
      last_verified_at: null,
      verified_by: null,
      verified_by_username: null,
    },
  }));
  return [enterprise, ...checklists];
}

/** Default enterprises answered by a read before anything persisted them (see `persistEnterprise`). */
const unsaved = new WeakSet<GrcRecord>();

/** Makes a tenant's default enterprise (with its seeded checklists); a no-op when it exists. */
export async function createDefaultEnterprise(tenantId: string, organization: string): Promise<void> {
  const now = new Date().toISOString();
  try {
    await putRecords(
      newEnterpriseRecords(tenantId, { id: defaultEnterpriseId(tenantId), name: organization, description: "" }, now),
    );
  } catch (e) {
    // It exists already (another first request made it at the same moment).
    if (!(e instanceof Conflict)) throw e;
  }
}

/**
 * The tenant's enterprises. Sign-up makes the default one; a tenant that signed up before the GRC
 * surface existed has none yet, and a read answers its default enterprise without writing it
 * (read routes hold read-only table access): the first write that needs it persists it.
 */
export async function tenantEnterprises(p: Principal): Promise<GrcRecord[]> {
  const found = await listRecords(p.tenantId, "enterprise");
  if (found.length > 0) return found;
  const now = new Date().toISOString();
  const [record] = newEnterpriseRecords(
    p.tenantId,
    { id: defaultEnterpriseId(p.tenantId), name: p.tenant?.name ?? p.tenantId, description: "" },
    now,
  );
  if (!record) return [];
  const synthesized: GrcRecord = { ...record, type: "GrcRecord", version: 1 };
  unsaved.add(synthesized);
  return [synthesized];
}

/** Persists the scope's default enterprise if a read only synthesized it (before a write that names it). */
export async function persistEnterprise(scope: GrcScope, id: string): Promise<void> {
  const e = scope.all.find((x) => x.id === id);
  if (!e || !unsaved.has(e)) return;
  await createDefaultEnterprise(scope.tenantId, String(e.doc.name));
  unsaved.delete(e);
}

/**
 * Who the caller is to the GRC surface. A caller who is neither an administrator nor a member of
 * any enterprise has no access (403), as the spec's permissions section says.
 */
export async function scopeOf(p: Principal): Promise<GrcScope> {
  const all = await tenantEnterprises(p);
  const admin = holds(p, "compliance:admin");
  const ids = new Set(all.map((e) => e.id));
  const visible = new Set(admin ? ids : p.user.enterprises.filter((e) => ids.has(e)));
  if (!admin && visible.size === 0) {
    throw new Forbidden("You are not a member of any enterprise; an administrator assigns enterprises to users");
  }
  return { tenantId: p.tenantId, admin, all, visible, principal: p };
}

/**
 * The enterprise a request names: 400 naming the field when the tenant has none such, 403 when
 * the caller is not a member of it.
 */
export function requireEnterprise(scope: GrcScope, id: string, loc: (string | number)[]): GrcRecord {
  const e = scope.all.find((x) => x.id === id);
  if (!e) {
    throw new Invalid(`${loc.join(".")}: no such enterprise`, [
      { loc, msg: "no such enterprise", type: "value_error" },
    ]);
  }
  if (!scope.visible.has(id)) throw new Forbidden("You are not a member of this enterprise");
  return e;
}

/** The enterprise a list is narrowed to (403 when not the caller's), or undefined for all the caller's. */
export function enterpriseFilter(scope: GrcScope, id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  if (!scope.all.some((e) => e.id === id)) return id; // matches nothing: an empty page, as DRF's filter
  if (!scope.visible.has(id)) throw new Forbidden("You are not a member of this enterprise");
  return id;
}

/** A record by id: 404 when the tenant has none such, 403 when it belongs to another enterprise. */
export async function visibleRecord(scope: GrcScope, kind: GrcRecord["kind"], id: string): Promise<GrcRecord> {
  const r = await getRecord(scope.tenantId, kind, id);
  if (!r) throw new NotFound(`No ${kind === "compliance" ? "compliance item" : kind} with id ${id}`);
  if (!scope.visible.has(r.enterprise)) throw new Forbidden("You are not a member of this record's enterprise");
  return r;
}

export function enterpriseName(scope: GrcScope, id: string): string {
  const doc = scope.all.find((e) => e.id === id)?.doc;
  return typeof doc?.name === "string" ? doc.name : "";
}

// --- the enterprises routes ------------------------------------------------------------------------

export interface EnterpriseInput {
  name: string;
  description?: string;
}

export function listEnterprises(scope: GrcScope): GrcRecord[] {
  return scope.all.filter((e) => scope.visible.has(e.id));
}

export async function createEnterprise(scope: GrcScope, input: EnterpriseInput): Promise<GrcRecord> {
  assertUniqueName(scope, input.name);
  for (const e of scope.all) await persistEnterprise(scope, e.id);
  const now = new Date().toISOString();
  const records = newEnterpriseRecords(
    scope.tenantId,
    { id: randomUUID(), name: input.name, description: input.description ?? "" },
    now,
  );
  await putRecords(records);
  const [created] = records;
  if (!created) throw new Error("no enterprise record");
  return { ...created, type: "GrcRecord", version: 1 };
}

export async function getEnterprise(scope: GrcScope, id: string): Promise<GrcRecord> {
  const synthesized = scope.all.find((e) => e.id === id && unsaved.has(e));
  if (synthesized) return synthesized;
  return visibleRecord(scope, "enterprise", id);
}

export async function updateEnterprise(
  scope: GrcScope,
  id: string,
  input: Partial<EnterpriseInput>,
): Promise<{ record: GrcRecord; changes: Record<string, { old: unknown; new: unknown }> }> {
  await persistEnterprise(scope, id);
  const r = await visibleRecord(scope, "enterprise", id);
  if (input.name !== undefined && input.name !== r.doc.name) assertUniqueName(scope, input.name);
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  const doc = { ...r.doc };
  for (const [k, v] of Object.entries(input)) {
    if (v !== undefined && v !== doc[k]) {
      changes[k] = { old: doc[k], new: v };
      doc[k] = v;
    }
  }
  if (Object.keys(changes).length === 0) return { record: r, changes };
  const record = await updateRecord(r, { doc, updatedAt: new Date().toISOString() });
  return { record, changes };
}

function assertUniqueName(scope: GrcScope, name: string): void {
  const clash = scope.all.find((e) => String(e.doc.name).toLowerCase() === name.toLowerCase());
  if (clash) throw new Conflict(`An enterprise named '${name}' already exists (id ${clash.id})`);
}
