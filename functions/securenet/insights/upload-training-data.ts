/**
 * POST /api/insights/models/upload-training-data — multipart/form-data, field `file`: a CSV of at
 * most 4 MiB (shared/insights/training-data.ts says which columns and values it takes). A bad file
 * is refused with 400 naming its row and column, a larger one with 400 naming the limit, and
 * nothing is stored. (In AWS, API Gateway itself refuses a request above 10 MB with 413 before
 * this function runs, and Lambda's 6 MB request limit applies to the base64-encoded body.)
 */

import { uploadTrainingFile } from "#shared/insights/models.ts";
import { MAX_CSV_BYTES } from "#shared/insights/training-data.ts";
import { UploadResponse, uploadView } from "#shared/insights/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid, PayloadTooLarge } from "#shared/kit/errors.ts";
import { parseMultipart } from "#shared/kit/multipart.ts";

const FILENAME = /^[^\p{Cc}/\\]{1,200}$/u;

const tooLarge = () =>
  new Invalid(`file: larger than ${MAX_CSV_BYTES} bytes (4 MiB), the most one upload may hold`, [
    { loc: ["body", "file"], msg: `larger than ${MAX_CSV_BYTES} bytes`, type: "value_error.too_large" },
  ]);

export const endpoint = defineEndpoint(
  "POST /api/insights/models/upload-training-data",
  { response: UploadResponse },
  async (req) => {
    const form = await parseMultipart(req.rawBody, req.headers["content-type"], {
      fileSize: MAX_CSV_BYTES,
      files: 1,
      fields: 1,
    }).catch((e: unknown) => {
      // The issue asks a too-large file to be a 400 like any other bad CSV (securenet's error
      // codes have no 413), naming the field and the limit.
      if (e instanceof PayloadTooLarge) throw tooLarge();
      throw e;
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
