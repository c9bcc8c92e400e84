import * as z from "zod/mini";
import { listUserViews } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const query = z.strictObject({
  status: z.optional(z.enum(["active", "inactive", "locked"])),
  role: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50),
});

export const endpoint = defineEndpoint("GET /cloud-integration/security/users", { query }, (req) =>
  listUserViews(req.principal.tenantId, req.query),
);
