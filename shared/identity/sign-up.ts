/**
 * Sign-up and registration: a new organization with its first administrator (self-service
 * sign-up), and a user registered into the caller's organization.
 */

import { DEFAULT_ROLE } from "#shared/auth/permissions.ts";
import { billingSettings } from "#shared/billing/settings.ts";
import type { User } from "#shared/identity/db/users.ts";
import { Conflict, Invalid } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { reservedForPlatformScan } from "#shared/posture/platform.ts";
import { transact } from "#shared/table/repo.ts";
import { createTenantItems, tenantSlug } from "#shared/tenancy/tenants.ts";
import { DEFAULT_AUTH_POLICY, getAuthPolicy } from "./auth-policy.ts";
import { createUser, firstUserWrites } from "./create-user.ts";
import { type ClientMeta, prepareLoginSession } from "./login-sessions.ts";
import { preparePassword } from "./passwords.ts";
import type { Principal } from "./principal.ts";
import { assertMayAssignRole, requireRole } from "./roles.ts";
import type { SignedIn } from "./sign-in.ts";

export interface SignUpInput {
  organization: string;
  username: string;
  email: string;
  password: string;
}

export interface SignUpOptions {
  /**
   * The deployment's own operator creates this tenant (local mode's first-run bootstrap), not a
   * stranger on the sign-up route: an id reserved for platform-account scans may be created.
   */
  byOperator?: boolean;
}

/**
 * Self-service signup: a new tenant on the signup plan (free unless the deployment says otherwise,
 * shared/billing/settings.ts) with this user as its admin. The new admin's
 * first token is not restricted to 2FA enrolment (the default policy requires 2FA for admins):
 * the organization has nothing in it yet, and its first sign-in will ask for the enrolment.
 *
 * An id the deployment names for platform-account scans (shared/posture/platform.ts) is never
 * created here: such an id grants read access to the platform's own AWS account, so a stranger
 * whose organization name slugs to it must not get it. The answer is the 409 of a name that is
 * not available, without saying why; the operators see the refusal in the function's log.
 */
export async function signUp(
  input: SignUpInput,
  meta: ClientMeta = { ip: "0.0.0.0", userAgent: "" },
  options: SignUpOptions = {},
): Promise<SignedIn & { plan: string }> {
  const tenantId = tenantSlug(input.organization);
  if (tenantId.length < 2) {
    throw new Invalid("body.organization: must contain at least two letters or digits", [
      { loc: ["body", "organization"], msg: "must contain at least two letters or digits", type: "value_error" },
    ]);
  }
  if (!options.byOperator && reservedForPlatformScan(tenantId)) {
    log.warn("sign-up refused: the organization's id is reserved for platform-account scans", { tenantId });
    throw new Conflict("body.organization: this organization name is not available; choose another");
  }
  const policy = DEFAULT_AUTH_POLICY;
  const password = await preparePassword(input.password, policy, { username: input.username });
  const now = new Date().toISOString();
  const plan = billingSettings().WARDEN_SIGNUP_PLAN;
  const tenant = createTenantItems({ id: tenantId, name: input.organization.trim(), plan, createdAt: now });
  const first = firstUserWrites(
    tenantId,
    { username: input.username, email: input.email, role: "admin", permissions: ["*"], password },
    now,
  );
  const user = first.user;
  const loginSession = await prepareLoginSession({ tenantId, id: 1, role: "admin" }, [], policy, meta);
  await transact([...tenant.items, ...first.items, ...loginSession.items], [...tenant.conflicts, ...first.conflicts]);
  const created: User = { ...user, passwordHash: "", type: "User", version: 1 };
  return {
    kind: "signedIn",
    plan,
    user: created,
    token: loginSession.token,
    events: [
      {
        tenantId,
        userId: 1,
        username: user.username,
        event: "Organization Created",
        eventType: "tenant_created",
        status: "success",
        details: { organization: tenantId, plan, session_id: loginSession.token.jti },
      },
    ],
  };
}

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
  fullName?: string;
  role?: string;
}

/**
 * Creates a user in the caller's tenant. The least-privileged role unless the caller asks for
 * another (built-in or one of the tenant's custom roles), and nobody may create a user with
 * permissions they do not hold themselves.
 */
export async function register(caller: Principal, input: RegisterInput): Promise<User> {
  const role = await requireRole(caller.tenantId, input.role ?? DEFAULT_ROLE, ["body", "role"]);
  assertMayAssignRole(caller, role);
  const policy = await getAuthPolicy(caller.tenantId);
  const password = await preparePassword(input.password, policy, { username: input.username });
  return createUser(caller.tenantId, { ...input, role: role.id, permissions: role.permissions, password });
}
