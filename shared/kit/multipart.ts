/**
 * multipart/form-data for routes whose row says `body: "multipart"`: the endpoint kit leaves the
 * raw bytes in `req.rawBody` and the header in `req.headers["content-type"]`; this parses them with
 * busboy into text fields and files, within limits. Problems are 4xx that name the part.
 */
import busboy from "busboy";
import { Invalid, PayloadTooLarge, UnsupportedMediaType } from "./errors.ts";

export interface UploadedFile {
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

export interface MultipartLimits {
  /** Bytes per file (default 64 KiB). */
  fileSize?: number;
  /** Number of files (default 1). */
  files?: number;
  /** Number of text fields (default 20). */
  fields?: number;
  /** Bytes per text field (default 4 KiB). */
  fieldSize?: number;
}

export function parseMultipart(
  rawBody: Buffer,
  contentType: string | undefined,
  limits: MultipartLimits = {},
): Promise<MultipartForm> {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType) || !/boundary=/i.test(contentType)) {
    return Promise.reject(new UnsupportedMediaType("Content-Type must be multipart/form-data with a boundary"));
  }
  const max = { fileSize: 64 * 1024, files: 1, fields: 20, fieldSize: 4 * 1024, ...limits };
  return new Promise((resolve, reject) => {
    const form: MultipartForm = { fields: {}, files: {} };
    let failure: Error | undefined;
    const fail = (e: Error) => {
      failure ??= e;
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: { "content-type": contentType },
        limits: {
          fileSize: max.fileSize,
          files: max.files,
          fields: max.fields,
          fieldSize: max.fieldSize,
          parts: max.files + max.fields,
        },
      });
    } catch {
      reject(
        new Invalid("body: malformed multipart/form-data", [
          { loc: ["body"], msg: "malformed multipart body", type: "value_error" },
        ]),
      );
      return;
    }
    bb.on("field", (name, value, info) => {
      if (info.valueTruncated)
        fail(
          new Invalid(`${name}: longer than ${max.fieldSize} bytes`, [
            { loc: ["body", name], msg: `longer than ${max.fieldSize} bytes`, type: "value_error" },
          ]),
        );
      if (name in form.fields || name in form.files)
        fail(
          new Invalid(`${name}: sent more than once`, [
            { loc: ["body", name], msg: "sent more than once", type: "value_error" },
          ]),
        );
      form.fields[name] = value;
    });
    bb.on("file", (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("limit", () => fail(new PayloadTooLarge(`${name}: the file is larger than ${max.fileSize} bytes`)));
      stream.on("close", () => {
        if (name in form.files || name in form.fields) {
          fail(
            new Invalid(`${name}: sent more than once`, [
              { loc: ["body", name], msg: "sent more than once", type: "value_error" },
            ]),
          );
        }
        form.files[name] = { filename: info.filename ?? "", mimeType: info.mimeType, data: Buffer.concat(chunks) };
      });
    });
    bb.on("filesLimit", () =>
      fail(
        new Invalid(`body: at most ${max.files} file(s)`, [
          { loc: ["body"], msg: `at most ${max.files} file(s)`, type: "value_error" },
        ]),
      ),
    );
    bb.on("fieldsLimit", () =>
      fail(
        new Invalid(`body: at most ${max.fields} fields`, [
          { loc: ["body"], msg: `at most ${max.fields} fields`, type: "value_error" },
        ]),
      ),
    );
    bb.on("partsLimit", () =>
      fail(new Invalid("body: too many parts", [{ loc: ["body"], msg: "too many parts", type: "value_error" }])),
    );
    bb.on("error", () => {
      reject(
        failure ??
          new Invalid("body: malformed multipart/form-data", [
            { loc: ["body"], msg: "malformed multipart body", type: "value_error" },
          ]),
      );
    });
    bb.on("close", () => (failure ? reject(failure) : resolve(form)));
    bb.end(rawBody);
  });
}
