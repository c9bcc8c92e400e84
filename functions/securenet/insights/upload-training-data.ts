/**
 * POST /api/insights/models/upload-training-data — multipart/form-data, field `file`: a CSV of at
 * most 4 MiB (shared/insights/training-data.ts says which columns and values it takes). A bad file
 * is refused with 400 naming its row and column, and nothing is stored.
 */

import { uploadTrainingFile } from "#shared/insights/models.ts";
import { MAX_CSV_BYTES } from "#shared/insights/training-data.ts";
import { UploadResponse, uploadView } from "#shared/insights/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";
import { parseMultipart } from "#shared/kit/multipart.ts";

const FILENAME = /^[^\p{Cc}/\\]{1,200}$/u;

export const endpoint = defineEndpoint(
  "POST /api/insights/models/upload-training-data",
  { response: UploadResponse },
  async (req) => {
    const form = await parseMultipart(req.rawBody, req.headers["content-type"], {
      fileSize: MAX_CSV_BYTES,
      files: 1,
      fields: 1,
    });
    const file = form.files.file;
    if (!file) {
      throw new Invalid("file: field required (the training CSV)", [
        { loc: ["body", "file"], msg: "field required", type: "value_error.missing" },
      ]);
    }
    const filename = FILENAME.test(file.filename) ? file.filename : "training_data.csv";
    const stored = await uploadTrainingFile(req.principal.tenantId, req.principal.username, {
      filename,
      data: file.data,
    });
    req.audit({
      resource: `insights/file/${stored.id}`,
      details: { file_id: stored.id, filename, size_bytes: stored.sizeBytes, rows_count: stored.rowsCount },
    });
    return uploadView(stored);
  },
);
