import { registerBody } from "#shared/identity/schemas.ts";
import { register } from "#shared/identity/sign-up.ts";
import { CloudsentinelRegisteredResponse, cloudsentinelRegistered } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint(
  "POST /api/v1/auth/register",
  { body: registerBody, response: CloudsentinelRegisteredResponse },
  async (req) => {
    const user = await register(req.principal, {
      username: req.body.username,
      email: req.body.email,
      password: req.body.password,
      fullName: req.body.full_name,
      role: req.body.role,
    });
    req.audit({ details: { created_user_id: user.id, username: user.username, role: user.role } });
    req.status(201);
    return cloudsentinelRegistered(user);
  },
);
