/**
 * POST /certificates/upload — multipart/form-data: `certificate`, `private_key`, `chain` (files)
 * and `type`, `gateway_id` (fields). Every check must pass (400 naming the failing one, nothing
 * stored); the certificate goes to the gateway through its shadow, the key as a sealed one-time delivery.
 */
import { uploadCertificate } from "#shared/certificates/certificates.ts";
import { UploadFields } from "#shared/certificates/schemas.ts";
import { UploadedView, uploadedView } from "#shared/certificates/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";
import { parseMultipart } from "#shared/kit/multipart.ts";
import { validate } from "#shared/kit/validation.ts";

const required = (field: string) =>
  new Invalid(`${field}: field required`, [
    { loc: ["body", field], msg: "field required", type: "value_error.missing" },
  ]);

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/certificates/upload",
  { response: UploadedView },
  async (req) => {
    const form = await parseMultipart(req.rawBody, req.headers["content-type"], {
      fileSize: 32 * 1024,
      files: 3,
      fields: 2,
    });
    const input = validate("body", UploadFields, form.fields);
    const text = (name: string) => form.files[name]?.data.toString("utf8") ?? form.fields[name];
    const certificate = text("certificate");
    const privateKey = text("private_key");
    if (!certificate) throw required("certificate");
    if (!privateKey) throw required("private_key");
    const out = await uploadCertificate({
      tenantId: req.principal.tenantId,
      gatewayId: input.gateway_id,
      by: req.principal.username,
      type: input.type,
      certificate,
      privateKey,
      chain: text("chain"),
    });
    req.audit({
      resource: `certificates/${out.gatewayId}/${out.type}`,
      details: {
        gateway_id: out.gatewayId,
        type: out.type,
        fingerprint: out.info.fingerprint,
        subject: out.info.subject,
      },
    });
    return uploadedView(out);
  },
);
