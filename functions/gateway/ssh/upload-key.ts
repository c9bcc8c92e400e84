/**
 * POST /ssh/upload-key — multipart/form-data with `file` (the public key), `username` and
 * `comment`. Type, size and fingerprint come from the key itself (as `ssh-keygen -lf` reads it).
 */
import { UploadSshKeyFields } from "#shared/fleet/schemas.ts";
import { uploadKey } from "#shared/fleet/ssh.ts";
import { SshKeyUploadedResponse, sshKeyUploadedView } from "#shared/fleet/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { Invalid } from "#shared/kit/errors.ts";
import { parseMultipart } from "#shared/kit/multipart.ts";
import { validate } from "#shared/kit/validation.ts";

export const endpoint = defineEndpoint(
  "POST /cloud-integration/security/ssh/upload-key",
  { response: SshKeyUploadedResponse },
  async (req) => {
    const form = await parseMultipart(req.rawBody, req.headers["content-type"], {
      fileSize: 16 * 1024,
      files: 1,
      fields: 3,
    });
    const file = form.files.file;
    if (!file)
      throw new Invalid("file: field required (the public key file)", [
        { loc: ["body", "file"], msg: "field required", type: "value_error.missing" },
      ]);
    const input = validate("body", UploadSshKeyFields, form.fields);
    const out = await uploadKey(
      { tenantId: req.principal.tenantId, gatewayId: input.gateway_id, by: req.principal.username },
      { keyText: file.data.toString("utf8"), username: input.username, comment: input.comment },
    );
    req.audit({
      resource: `ssh/key/${out.key.fingerprint}`,
      details: {
        fingerprint: out.key.fingerprint,
        username: out.key.username,
        key_type: out.key.type,
        key_size: out.key.size,
        gateway_id: input.gateway_id,
      },
    });
    return sshKeyUploadedView(out);
  },
);
