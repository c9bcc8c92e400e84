/**
 * GRC test fixtures: a tenant's default enterprise, a second enterprise, and users of a role who
 * are members of given enterprises (set by the tenant's admin through POST /users/update).
 */
import { call, freshIp, type newTenant } from "./api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
export const S = "/api/security";
export const D = "/api/dashboard/security";

export async function defaultEnterprise(t: Tenant): Promise<{ id: string; name: string }> {
  const res = await call("GET", `${S}/enterprises/`, { token: t.token });
  if (res.status !== 200) throw new Error(`enterprises: ${res.status} ${res.text}`);
  return res.body.results[0];
}

export async function newEnterprise(t: Tenant, name: string): Promise<{ id: string; name: string }> {
  const res = await call("POST", `${S}/enterprises/`, { token: t.token, body: { name } });
  if (res.status !== 201) throw new Error(`enterprise: ${res.status} ${res.text}`);
  return res.body;
}

let n = 0;
/** A user of `role` in tenant `t`, member of `enterprises`; answers its token. */
export async function memberToken(t: Tenant, role: string, enterprises: string[]): Promise<string> {
  n += 1;
  const username = `${role}-${n}-${t.tenantId.slice(-6)}`;
  const password = "Secure-Passw0rd!x";
  const created = await call("POST", "/cloud-integration/security/users/create", {
    token: t.token,
    body: { username, email: `${username}@example.com`, password, role },
  });
  if (created.status !== 201) throw new Error(`user: ${created.status} ${created.text}`);
  if (enterprises.length) {
    const upd = await call("POST", "/cloud-integration/security/users/update", {
      token: t.token,
      body: { user_id: created.body.user_id, enterprises },
    });
    if (upd.status !== 200) throw new Error(`enterprises: ${upd.status} ${upd.text}`);
  }
  const login = await call("POST", "/api/v1/auth/token", { body: { username, password }, ip: freshIp() });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
  return login.body.access_token;
}
