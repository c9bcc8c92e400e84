/**
 * `npm run -s routes` (or `npx tsx infra/print-routes.ts`): the route table as JSON, one object per
 * route — method, path, surface, permission, rate class, audit event, and the JSON Schema of its
 * path, query and body parameters and of its answer (from the zod schemas the handler validates
 * with). Only JSON reaches stdout, so `npm run -s routes | jq` works; `--brief` leaves the schemas out.
 */
import { resolve } from "node:path";
import * as z from "zod/mini";
import { loadEndpoint } from "./local/route-handlers.ts";
import { routes } from "./routes.ts";

const root = resolve(import.meta.dirname, "..");
const brief = process.argv.includes("--brief");

const json = (schema: z.core.$ZodType | undefined, io: "input" | "output") =>
  schema ? z.toJSONSchema(schema, { io, unrepresentable: "any" }) : undefined;

const out = [];
for (const r of routes) {
  const base = {
    method: r.method,
    path: r.path,
    surface: r.surface,
    permission: r.permission,
    rate_class: r.rateClass,
    ...(r.audit ? { audit_event: r.audit.eventType } : {}),
    handler: r.handler,
  };
  if (brief || r.method === "WEBSOCKET") {
    out.push(base);
    continue;
  }
  const { schemas } = await loadEndpoint(root, r.handler);
  out.push({
    ...base,
    ...(r.body && r.body !== "json" ? { body_encoding: r.body } : {}),
    ...(schemas.path ? { path_params: json(schemas.path, "input") } : {}),
    ...(schemas.query ? { query: json(schemas.query, "input") } : {}),
    ...(schemas.body ? { body: json(schemas.body, "input") } : {}),
    ...(schemas.response ? { response: json(schemas.response, "output") } : {}),
    ...(schemas.produces ? { produces: Object.keys(schemas.produces) } : {}),
    ...(schemas.noContent ? { no_content: true } : {}),
  });
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
