import * as z from "zod/mini";
import { startEnrollment } from "#shared/identity/two-factor.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.optional(
  z.strictObject({
    method: z.optional(z.enum(["app", "email", "sms"])),
    phone: z.optional(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number such as +15551234567"))),
  }),
);

export const endpoint = defineEndpoint("POST /cloud-integration/security/users/2fa/enroll", { body }, async (req) => {
  const result = await startEnrollment(req.principal, req.body ?? {});
  req.audit({ details: { method: result.method } });
  return { status: "pending_verification", ...result };
});
