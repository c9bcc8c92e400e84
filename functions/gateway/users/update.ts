import * as z from "zod/mini";
import { email, fullName } from "#shared/identity/schemas.ts";
import { updateUser } from "#shared/identity/users.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  user_id: z.number().check(z.int(), z.positive()),
  full_name: z.optional(fullName),
  email: z.optional(email),
  role: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  two_factor_enabled: z.optional(z.boolean()),
  permissions: z.optional(z.array(z.string().check(z.maxLength(70))).check(z.maxLength(100))),
  /** Locking has its own route (/users/lock); setting "active" here also lifts a lock. */
  status: z.optional(z.enum(["active", "inactive"])),
  notes: z.optional(z.string().check(z.maxLength(1000))),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/users/update", { body }, async (req) => {
  const { user, changes, notified, sessionsTerminated } = await updateUser(req.principal, req.body);
  req.audit({
    userId: req.principal.userId,
    details: { target_user_id: user.id, target_username: user.username, changes, notes: req.body.notes ?? null },
  });
  return {
    status: "updated",
    user: {
      id: user.id,
      username: user.username,
      full_name: user.fullName,
      email: user.email,
      role: user.role,
      two_factor_enabled: user.twoFactorEnabled,
      permissions: user.permissions,
    },
    message: "User updated successfully",
    notify_user: notified,
    changes,
    sessions_terminated: sessionsTerminated,
  };
});
