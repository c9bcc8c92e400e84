/** Who is calling: resolved once per request by the endpoint kit, passed to every handler. */

import type { User } from "#shared/identity/db/users.ts";
import type { Tenant } from "#shared/tenancy/tenants.ts";

export interface Principal {
  kind: "user" | "apiKey";
  tenantId: string;
  userId: number;
  username: string;
  role: string;
  permissions: string[];
  user: User;
  tenant: Tenant | undefined;
  /** Present for token callers: the token's id and expiry (epoch seconds). */
  token?: { jti: string; exp: number; iat: number };
  /** Present for API-key callers; `prefix` is the key's display id ("AK-009"), which audit records carry. */
  apiKey?: { id: number; prefix: string; scopes: string[]; rateLimit?: number };
}
