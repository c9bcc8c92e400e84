import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /api/v1/auth/validate", {}, (req) => {
  const { user, token } = req.principal;
  return {
    valid: true,
    user_id: user.id,
    email: user.email,
    role: user.role,
    expires_at: token ? new Date(token.exp * 1000).toISOString() : null,
  };
});
