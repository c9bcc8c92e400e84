import * as z from "zod/mini";
import { getUserDetail, ownedRecords } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const path = z.strictObject({
  user_id: z.pipe(z.string().check(z.regex(/^[1-9]\d{0,9}$/, "must be a positive integer")), z.transform(Number)),
});

export const endpoint = defineEndpoint("GET /cloud-integration/security/users/{user_id}", { path }, (req) =>
  getUserDetail(req.principal.tenantId, req.path.user_id, ownedRecords),
);
