/**
 * GRC objects of a matrix world (test/helpers/world.ts), made through the API by the world's
 * administrator: its default enterprise, standing records of every kind, and fresh ones for the
 * requests that consume them (delete, start, complete, mark completed). A caller that is not an
 * administrator is made a member of the default enterprise first (the GRC surface answers
 * members only), so a refusal is always the permission's doing.
 */
import { expectStatus, type Principal, type World } from "./world.ts";

/** What of a matrix request's context the GRC fixtures need (route-requests.ts RequestContext). */
interface RequestContext {
  p: Principal;
  w: World;
  fresh: boolean;
}

const S = "/api/security";
const cache = new WeakMap<World, Map<string, Promise<unknown>>>();

function once<T>(w: World, key: string, make: () => Promise<T>): Promise<T> {
  let m = cache.get(w);
  if (!m) {
    m = new Map();
    cache.set(w, m);
  }
  let got = m.get(key) as Promise<T> | undefined;
  if (!got) {
    got = make();
    m.set(key, got);
  }
  return got;
}

async function post(w: World, path: string, body: unknown, what: string): Promise<Record<string, unknown>> {
  return expectStatus(await w.make("POST", `${S}${path}`, { body }), [200, 201], what).body;
}

/** The world's default enterprise (the one named after its organisation). */
export function enterpriseOf(w: World): Promise<string> {
  return once(w, "enterprise", async () => {
    const res = expectStatus(await w.make("GET", `${S}/enterprises/`), [200], "enterprises");
    return res.body.results[0].id as string;
  });
}

/** Makes the caller (a user of the world who is not its administrator) a member of the default enterprise. */
export async function asMember(ctx: RequestContext): Promise<string> {
  const e = await enterpriseOf(ctx.w);
  const u = ctx.p.user;
  if (ctx.fresh && u && ctx.p.world === ctx.w && u.id !== ctx.w.admin.id) {
    await once(ctx.w, `member:${u.id}`, () =>
      ctx.w
        .make("POST", "/cloud-integration/security/users/update", { body: { user_id: u.id, enterprises: [e] } })
        .then((r) => expectStatus(r, [200], "enterprise membership")),
    );
  }
  return e;
}

export const newEnterprise = async (w: World) =>
  (await post(w, "/enterprises/", { name: w.name("enterprise") }, "enterprise")).id as string;

export async function control(w: World, status: "not_implemented" | "implemented" = "implemented") {
  const enterprise = await enterpriseOf(w);
  return (
    await post(
      w,
      "/controls/",
      { enterprise, framework: "cis-controls-v8.1", control_id: "4.4", status, priority: "high" },
      "control",
    )
  ).id as string;
}
export const stableControl = (w: World) => once(w, "control", () => control(w));

/** A policy of a new enterprise (each enterprise has at most one). */
export async function policy(w: World, enterprise?: string) {
  return (await post(w, "/policies/", { enterprise: enterprise ?? (await newEnterprise(w)) }, "policy")).id as string;
}
/** The default enterprise's policy, which its members see. */
export const stablePolicy = (w: World) => once(w, "policy", async () => policy(w, await enterpriseOf(w)));

export async function checklist(w: World, completed = false) {
  const enterprise = await enterpriseOf(w);
  const items = [{ id: "one", title: "One", completed }];
  return (await post(w, "/checklists/", { enterprise, system_type: "linux", items }, "checklist")).id as string;
}
export const stableChecklist = (w: World) => once(w, "checklist", () => checklist(w));
/** A complete checklist: verifying it succeeds (again and again). */
export const completeChecklist = (w: World) => once(w, "checklist-complete", () => checklist(w, true));

export async function audit(w: World, started = false) {
  const enterprise = await enterpriseOf(w);
  const scheduled_date = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const id = (await post(w, "/audits/", { enterprise, title: w.name("audit"), scheduled_date }, "audit")).id as string;
  if (started) await post(w, `/audits/${id}/start/`, undefined, "audit start");
  return id;
}
export const stableAudit = (w: World) => once(w, "audit", () => audit(w));

export async function incident(w: World) {
  const enterprise = await enterpriseOf(w);
  return (await post(w, "/incidents/", { enterprise, title: w.name("incident"), severity: "high" }, "incident"))
    .id as string;
}
export const stableIncident = (w: World) => once(w, "incident", () => incident(w));

export async function complianceItem(w: World) {
  const enterprise = await enterpriseOf(w);
  const body = { enterprise, requirement_name: w.name("requirement"), framework: "iso-27001-2022" };
  return (await post(w, "/compliance/", body, "compliance item")).id as string;
}
export const stableComplianceItem = (w: World) => once(w, "compliance", () => complianceItem(w));
