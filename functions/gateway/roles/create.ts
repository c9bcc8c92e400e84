import * as z from "zod/mini";
import { createRole } from "#shared/identity/roles.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  name: z
    .string()
    .check(z.regex(/^[a-z][a-z0-9_-]{1,31}$/, "2–32 lowercase letters, digits, '_' or '-', starting with a letter")),
  description: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  permissions: z.array(z.string().check(z.maxLength(70))).check(z.minLength(1), z.maxLength(100)),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/roles", { body }, async (req) => {
  const role = await createRole(req.principal, req.body);
  req.audit({ details: { role: role.id, permissions: role.permissions } });
  req.status(201);
  return { status: "created", role, message: "Role created successfully" };
});
