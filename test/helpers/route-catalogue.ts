/**
 * The route table as the security matrices read it: every HTTP row of infra/routes.ts with the
 * request schemas its module declares (`endpoint.schemas`), which fields of those schemas name an
 * object of the tenant, and who may call the row (its permission, decided as the endpoint kit
 * decides it). Everything here is derived from the table and the schemas, so a route is in every
 * matrix the day its row lands.
 */
import { resolve } from "node:path";
import { loadEndpoint } from "#infra/local/route-handlers.ts";
import { routes } from "#infra/routes.ts";
import { hasPermission } from "#shared/auth/permissions.ts";
import type { Schemas } from "#shared/kit/endpoint.ts";
import { type RouteDef, routeKey } from "#shared/kit/route.ts";

const root = resolve(import.meta.dirname, "../..");

/** A zod/mini schema as the kit holds it; read through `defOf`. */
export type Schema = NonNullable<Schemas["body"]>;

/** The parts of `schema._zod.def` the matrices read (zod/mini keeps a schema's definition there). */
export interface SchemaDef {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, Schema>;
  catchall?: Schema;
  innerType?: Schema;
  element?: Schema;
  in?: Schema;
  out?: Schema;
  options?: Schema[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  coerce?: boolean;
  format?: string;
  pattern?: RegExp;
  defaultValue?: unknown;
}

export interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  value?: number | bigint;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  length?: number;
}

export const defOf = (s: Schema): SchemaDef => (s as unknown as { _zod: { def: SchemaDef } })._zod.def;
export const checksOf = (s: Schema): CheckDef[] => (defOf(s).checks ?? []).map((c) => c._zod.def);

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

/** The schema under optional/nullable/default wrappers. */
export function unwrap(s: Schema): Schema {
  let cur = s;
  for (let d = defOf(cur); WRAPPERS.has(d.type) && d.innerType; d = defOf(cur)) cur = d.innerType;
  return cur;
}

/** A field the request may leave out. */
export function isOptional(s: Schema): boolean {
  const t = defOf(s).type;
  return t === "optional" || t === "default" || t === "prefault";
}

/** The fields of an object schema (through an optional body, as POST /users/2fa/enroll has). */
export function fieldsOf(s: Schema | undefined): Record<string, Schema> {
  if (!s) return {};
  const d = defOf(unwrap(s));
  return d.type === "object" ? (d.shape ?? {}) : {};
}

/** Kinds of tenant objects a request can name, and the fields that name them. */
export type ObjectKind =
  | "user"
  | "gateway"
  | "apiKey"
  | "firewallRule"
  | "sshSession"
  | "sshKey"
  | "role"
  | "loginName"
  | "scan"
  | "alert";

const OBJECT_FIELDS: Record<string, ObjectKind> = {
  user_id: "user",
  transfer_data_to: "user",
  gateway_id: "gateway",
  key_id: "apiKey",
  rule_id: "firewallRule",
  session_id: "sshSession",
  fingerprint: "sshKey",
  role: "role",
  // Scans (cloud and gateway: both name them scan_id) and cloud alerts. Not `alert_ids`: the bulk
  // route answers each id on its own (200 with A's ids listed as not found, nothing changed), as
  // the spec wants; its own test checks that (test/integration/cloudsentinel/cloudsentinel-alerts).
  scan_id: "scan",
  alert_id: "alert",
};

export interface ObjectField {
  part: "path" | "query" | "body";
  field: string;
  kind: ObjectKind;
}

export interface CatalogueRoute {
  /** "METHOD /path", as the table and the endpoint name it. */
  key: string;
  row: RouteDef;
  schemas: Schemas;
  /** Fields that name an object of the caller's tenant (an id, a role, a login name filter…). */
  objectFields: ObjectField[];
  /** A GET: what it answers is read, so a cross-tenant read shows up in its text. */
  reads: boolean;
  /** Route parameters in the path (`{user_id}`). */
  pathParams: string[];
}

function objectFieldsOf(row: RouteDef, schemas: Schemas): ObjectField[] {
  // A public route names no object of a tenant: it has no tenant until it signs someone in.
  if (row.permission === null) return [];
  const out: ObjectField[] = [];
  for (const part of ["path", "query", "body"] as const) {
    for (const field of Object.keys(fieldsOf(schemas[part]))) {
      const kind = OBJECT_FIELDS[field];
      if (kind) out.push({ part, field, kind });
      // A login name in a query is a filter over the tenant's users (audit by username).
      else if (field === "username" && part === "query") out.push({ part, field, kind: "loginName" });
    }
  }
  return out;
}

let catalogue: Promise<CatalogueRoute[]> | undefined;

/** Every HTTP row of the route table with its endpoint's schemas, in table order. */
export function loadCatalogue(): Promise<CatalogueRoute[]> {
  catalogue ??= Promise.all(
    routes
      .filter((r) => r.method !== "WEBSOCKET")
      .map(async (row) => {
        const endpoint = await loadEndpoint(root, row.handler);
        const schemas = endpoint.schemas;
        return {
          key: routeKey(row),
          row,
          schemas,
          objectFields: objectFieldsOf(row, schemas),
          reads: row.method === "GET",
          pathParams: [...row.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1] ?? ""),
        };
      }),
  );
  return catalogue;
}

/** The row's path with its parameters filled in (percent-encoded). */
export function concretePath(row: RouteDef, params: Record<string, string | number> = {}): string {
  return row.path.replace(/\{(\w+)\+?\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${routeKey(row)}: no value for path parameter '${name}'`);
    return encodeURIComponent(String(value));
  });
}

/** Who is calling, as far as the permission check is concerned. */
export interface Grants {
  /** undefined: no credential at all. */
  permissions?: readonly string[];
  /** An API key's scopes, which narrow its owner's permissions. */
  scopes?: readonly string[];
}

/** Whether the endpoint kit lets this caller through the row's permission check. */
export function permits(row: RouteDef, who: Grants): boolean {
  if (row.permission === null) return true;
  if (!who.permissions) return false;
  return hasPermission(who.permissions, row.permission) && (!who.scopes || hasPermission(who.scopes, row.permission));
}
