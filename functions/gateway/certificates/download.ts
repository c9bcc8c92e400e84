/**
 * GET /certificates/download/{kind}?token=… — the material a self-signed generation made, for the
 * user who made it, within 10 minutes. The key and the bundle are handed out once, then deleted.
 */
import { download } from "#shared/certificates/certificates.ts";
import { DownloadPath, DownloadQuery } from "#shared/certificates/schemas.ts";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "GET /cloud-integration/security/certificates/download/{kind}",
  {
    path: DownloadPath,
    query: DownloadQuery,
    produces: {
      "application/x-pem-file": {
        description: "PEM: the certificate (`cert`), the private key (`key`, once) or both (`bundle`, once)",
      },
    },
  },
  async (req) => {
    const file = await download(req.principal.tenantId, req.principal.username, req.path.kind, req.query.token);
    return new RawResponse(
      200,
      {
        "Content-Type": file.contentType,
        "Content-Disposition": `attachment; filename="${file.filename}"`,
        "Cache-Control": "no-store",
      },
      file.body,
    );
  },
);
