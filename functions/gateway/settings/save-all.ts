/** POST /settings/save-all — several settings areas in one request; every section validated before any is saved. */
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";
import { saveAllSettings } from "#shared/tenancy/save-all.ts";
import { saveAllBody } from "#shared/tenancy/schemas.ts";
import { SaveAllResponse, saveAllView } from "#shared/tenancy/views.ts";

const invalid = (loc: string[], msg: string) =>
  new Invalid(`${loc.join(".")}: ${msg}`, [{ loc, msg, type: "value_error" }]);

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/settings/save-all",
  { body: saveAllBody, response: SaveAllResponse },
  async (req) => {
    const sections = req.body;
    if (Object.values(sections).every((s) => s === undefined)) {
      throw invalid(["body"], "no settings section to save");
    }
    const r = await saveAllSettings({ tenantId: req.principal.tenantId, by: req.principal.username }, sections);
    req.audit({
      severity: "warning",
      details: { changes: r.changes, affected_services: r.affectedServices, affected_users: r.affectedUsers },
    });
    return saveAllView(r);
  },
);
