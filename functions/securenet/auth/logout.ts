import { signOut } from "#shared/identity/sign-in.ts";
import { SignedOutResponse, signedOutView } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("POST /api/auth/logout", { response: SignedOutResponse }, async (req) => {
  const { tenantId, token } = req.principal;
  // API-key callers have no login session to end; the key itself is revoked through the API-key routes.
  if (token) await signOut(tenantId, token.jti, token.exp);
  req.audit({ details: { session_id: token?.jti ?? null } });
  return signedOutView();
});
