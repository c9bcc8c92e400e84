/**
 * POST /restore — multipart/form-data: `file` (the backup), `password` (for a password-sealed
 * backup) and `components` (a JSON array or comma-separated names; all by default). Verifies the
 * file first (GCM tag, tenant, checksums), validates every record, then writes.
 */
import { MAX_UPLOAD_BYTES, parseComponents, restoreFromUpload } from "#shared/backups/backups.ts";
import { RestoreFields } from "#shared/backups/schemas.ts";
import { RestoreResponse, restoreView } from "#shared/backups/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";
import { parseMultipart } from "#shared/kit/multipart.ts";
import { validate } from "#shared/kit/validation.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/restore",
  { response: RestoreResponse },
  async (req) => {
    const form = await parseMultipart(req.rawBody, req.headers["content-type"], {
      fileSize: MAX_UPLOAD_BYTES,
      files: 1,
      fields: 2,
    });
    const file = form.files.file;
    if (!file || file.data.length === 0)
      throw new Invalid("file: field required (the backup file)", [
        { loc: ["body", "file"], msg: "field required", type: "value_error.missing" },
      ]);
    const fields = validate("body", RestoreFields, form.fields);
    const components = parseComponents(fields.components, ["body", "components"]);
    const result = await restoreFromUpload(req.principal, { file: file.data, password: fields.password, components });
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
