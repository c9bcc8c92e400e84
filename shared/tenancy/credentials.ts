/**
 * Tenant-scoped credentials (the SaaS Factory pattern). Once the endpoint kit has verified the
 * caller, it asks here for credentials of the caller's tenant: STS AssumeRole into the one
 * tenant-access role (data stack) with the session tag `tenant=<id>`, whose policy allows the
 * table actions only on partitions `T#${aws:PrincipalTag/tenant}` and `T#${aws:PrincipalTag/tenant}#*`,
 * and with the route's own table statements as the session policy, so the session may do
 * (what the route may do) ∩ (what touches this tenant's keys). They are cached per tenant and
 * route per container until shortly before they expire, and the table scope (shared/table/
 * client.ts) builds the DynamoDB client of the rest of the request from them.
 *
 * Every tenant-owned partition key starts with `T#<tenant>` (shared/table/keys.ts `tenantPk`),
 * GSI partition keys of tenant data too (`T#<t>#GRC#…`, `T#<t>#SSHDAY#…`, `T#<t>#SSHACTIVE`).
 * The partitions that do not — and so are not reachable with tenant credentials — are:
 *   - `G#LOGIN#<name>`, `G#TENANT#<tenant>`, `G#APIKEY#<hash>`: global guards and pointers
 *     (login names, tenant ids, API-key hashes), looked up before the tenant is known;
 *   - `G#IP#<ip>#RL`, `G#IPFAIL#<ip>`: anonymous callers' rate windows and failure counters;
 *   - `G#STRIPE#CUS#<id>`, `G#STRIPE#EVT#<id>`: Stripe's customer index and event de-duplication
 *     (Stripe's webhook names no tenant);
 *   - `G#GRC#EVIDENCE-TENANTS` and GSI1 `CERTAUTORENEW`: cross-tenant work lists of the workers.
 *
 * PRE-TENANT ACCESS: what a request-path function does with its own role (shared/table/client.ts
 * `preTenantDb`, or `db` before the kit enters the tenant scope), each for the reason given:
 *   1. authentication: verifying a token or an API key reads the caller's user, tenant, revoked-
 *      token and API-key items (point reads, GetItem/BatchGetItem) and the `G#APIKEY#<hash>` pointer,
 *      and counts the key's use in its `T#<t>#KEY#<id>#RL` partition — before the principal exists;
 *   2. rate limiting of anonymous calls (`G#IP#<ip>#RL`) and, for the requests the permission
 *      check refuses, nothing else: refusals are audited in `T#<t>#AUDIT…` with the own role;
 *   3. the public routes (no permission: login, sign-up, token refresh, password reset, 2FA
 *      completion, invitations, Stripe's webhook, the JWKS, health): there is no verified principal
 *      at all; they keep their declared table access on their own role and are listed by route in
 *      `PRE_TENANT_ROUTES` below;
 *   4. inside a tenant request, nothing: the global guards a mutation maintains with the tenant's
 *      items are granted to the tenant-access role by name (`GLOBAL_GUARD_PARTITIONS`).
 */
import { createHash } from "node:crypto";
import {
  AUDIT_DAY_PARTITION_PATTERNS,
  AUDIT_INSERT_ATTRIBUTES,
  tenantAuditDayPartitions,
  tenantAuditHeadPartition,
  tenantAuditPartitions,
} from "#shared/audit/trail.ts";
import { type IotNeeds, TENANT_THING_ACTIONS, tenantThingPattern, thingActions } from "#shared/iot/policy.ts";
import { enterIotTenant, useIotScopeStore } from "#shared/iot/session.ts";
import { config } from "#shared/kit/config.ts";
import { enterTenant, type TenantCredentials } from "#shared/table/client.ts";
import { TABLE_READ, TABLE_WRITE, type TableStatement, tenantPartitions } from "#shared/table/leading-keys.ts";
import { RequestScope } from "#shared/table/request-scope.ts";
import { TABLE } from "#shared/table/table.ts";
import { localStsIssuer } from "./adapters/local-sts.ts";
import { stsIssuer } from "./adapters/sts.ts";
import type { CredentialIssuer } from "./credentials-port.ts";
import { GLOBAL_GUARD_PARTITIONS } from "./db/global-guards.ts";
import { RATE_WINDOW_PARTITION_PATTERNS } from "./db/rate-windows.ts";

export type { CredentialIssuer, TenantCredentials };

// The IoT session of a request lives in a request scope like the table's (see request-scope.ts).
useIotScopeStore(new RequestScope());

export { GLOBAL_GUARD_PARTITIONS };

/**
 * The routes with table access and no verified caller (no permission on their row): they hold
 * their declared table access on their own role, and test/infra/tenant-isolation.test.ts keeps
 * this list equal to the route table's, so a new public table route is a conscious decision.
 */
export const PRE_TENANT_ROUTES: Readonly<Record<string, string>> = {
  "POST /api/auth/login":
    "password login: finds the user through the global login name (G#LOGIN#), counts failures per address " +
    "(G#IPFAIL#) and per user, writes the session; the tenant is what it finds out",
  "POST /api/auth/login/2fa": "completes a login with a second factor: the pending login is found by its token",
  "POST /api/v1/auth/token": "the token grant (credentials in the body): a login by another name",
  "POST /api/auth/signup":
    "creates the tenant: the tenant-id guard (G#TENANT#), the tenant, its first user and login name",
  "GET /.well-known/jwks.json": "publishes the token key's public half; no caller",
  "POST /api/billing/webhook/stripe":
    "Stripe names a customer, never a tenant: the customer index (G#STRIPE#CUS#) finds it; event ids are " +
    "de-duplicated globally (G#STRIPE#EVT#); the caller is Stripe's signature",
  "GET /api/metrics/health": "the platform's health (table reachable, shadows): no caller",
};

/** The tag the tenant-access role's policy reads (`aws:PrincipalTag/tenant`). */
export const TENANT_TAG = "tenant";
/** The IAM policy variable of the session's tenant tag, for the tenant-access role's policy. */
export const TENANT_TAG_VARIABLE = `\${aws:PrincipalTag/${TENANT_TAG}}`;

/** What the route's row says the function may do with the table and things (infra/constructs/access-policy.ts). */
export interface TableNeeds extends IotNeeds {
  table?: "RO" | "RW";
  /** The kit counts every call of a rate-limited route (and audits refusals) in the table. */
  rateLimit?: boolean;
  /**
   * The row's `access.auditMaintenance` (shared/kit/route.ts): a read-write route's tenant sessions
   * may also move the audit chain's anchor and delete records (`auditMaintenance` below).
   */
  auditMaintenance?: boolean;
}

/**
 * A route's own table statements: the IAM policy of its role (access-policy.ts) before the
 * tenant fence, and the session policy of its tenant sessions. A read-only route still counts its
 * requests in its rate window and appends denials and failures to the audit trail.
 */
export function routeTableStatements(needs: TableNeeds): TableStatement[] {
  const statements: TableStatement[] = [];
  if (needs.table) statements.push({ actions: needs.table === "RW" ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ });
  if (needs.rateLimit && needs.table !== "RW") {
    statements.push({ actions: ["dynamodb:UpdateItem"], leadingKeys: RATE_WINDOW_PARTITION_PATTERNS });
    // The audit append: one PutItem of a new record into a day partition, with a record's own
    // attributes only (shared/audit: the chain fields are the stream linker's to add).
    statements.push(auditAppend(AUDIT_DAY_PARTITION_PATTERNS));
  }
  return statements;
}

/** The audit append: one PutItem of a new record into a day partition, with a record's own attributes. */
const auditAppend = (dayPartitions: readonly string[]): TableStatement => ({
  actions: ["dynamodb:PutItem"],
  leadingKeys: dayPartitions,
  attributes: AUDIT_INSERT_ATTRIBUTES,
});

/**
 * What a route declaring `access.auditMaintenance` writes in the trail besides appending: the
 * clear (gateway 'Clear Audit Log') removes a linked prefix of the trail, so it moves the
 * verification anchor in the chain head and deletes the removed records.
 */
const auditMaintenance = (tenant: string): TableStatement[] => [
  { actions: ["dynamodb:UpdateItem"], leadingKeys: tenantAuditHeadPartition(tenant) },
  { actions: ["dynamodb:DeleteItem"], leadingKeys: tenantAuditDayPartitions(tenant) },
];

/**
 * A route's tenant-session statements (its session policy): a read-only route's are its own
 * (`routeTableStatements`); a read-write route may write any key but the tenant's audit
 * partitions, where it only appends (and, when its row declares `auditMaintenance`, maintains the
 * trail as the clear needs).
 */
export function sessionTableStatements(tenant: string, needs: TableNeeds): TableStatement[] {
  if (needs.table !== "RW") return routeTableStatements(needs);
  return [
    { actions: TABLE_READ },
    { actions: TABLE_WRITE, exceptLeadingKeys: tenantAuditPartitions(tenant) },
    auditAppend(tenantAuditDayPartitions(tenant)),
    ...(needs.auditMaintenance ? auditMaintenance(tenant) : []),
  ];
}

/**
 * The own role's table statements of a route with a verified caller: what it does before the
 * tenant is known (PRE-TENANT ACCESS 1 and 2 above): point reads to authenticate (GetItem and
 * BatchGetItem on any key, no Query), its rate windows and the audit trail (LeadingKeys-fenced).
 * Everything else goes through the tenant session.
 */
export function preTenantStatements(): TableStatement[] {
  return [
    { actions: TABLE_READ.filter((a) => a !== "dynamodb:Query") },
    ...routeTableStatements({ table: undefined, rateLimit: true }),
  ];
}

/**
 * The tenant-access role's table statements, for the tenant `tenant` (in IAM: the policy variable
 * `${aws:PrincipalTag/tenant}`): reads of every partition of the tenant; writes of every partition
 * but its audit trail (`ForAllValues:StringNotLike`); in the trail, the append (PutItem, a record's
 * attributes) and what the routes declaring `auditMaintenance` need, which only their session
 * policies ask for; point operations on the named global guards.
 */
export function tenantAccessStatements(tenant: string): TableStatement[] {
  return [
    { actions: TABLE_READ, leadingKeys: tenantPartitions(tenant) },
    { actions: TABLE_WRITE, leadingKeys: tenantPartitions(tenant), exceptLeadingKeys: tenantAuditPartitions(tenant) },
    auditAppend(tenantAuditDayPartitions(tenant)),
    ...auditMaintenance(tenant),
    { actions: GLOBAL_GUARD_ACTIONS, leadingKeys: GLOBAL_GUARD_PARTITIONS },
  ];
}

const GLOBAL_GUARD_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:ConditionCheckItem",
];

/** The IAM JSON of table statements on `tableArn` and its indexes. */
export function tableStatementsJson(statements: readonly TableStatement[], tableArn: string) {
  return statements.map((s) => ({
    Effect: "Allow",
    Action: [...s.actions],
    // The indexes (by name, never index/*) only where a Query may use them (the other actions
    // address table items).
    Resource: s.actions.includes("dynamodb:Query")
      ? [tableArn, ...TABLE.indexes.map((index) => `${tableArn}/index/${index.name}`)]
      : [tableArn],
    ...((s.leadingKeys || s.exceptLeadingKeys || s.attributes) && {
      Condition: {
        ...(s.leadingKeys && { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...s.leadingKeys] } }),
        ...(s.exceptLeadingKeys && {
          "ForAllValues:StringNotLike": { "dynamodb:LeadingKeys": [...s.exceptLeadingKeys] },
        }),
        ...(s.attributes && { "ForAllValues:StringEquals": { "dynamodb:Attributes": [...s.attributes] } }),
      },
    }),
  }));
}

/** The table's ARN in the account and partition of the tenant-access role (any in local mode). */
function tableArn(): string {
  const [, partition = "aws", , , account = "000000000000"] = (config.WARDEN_TENANT_ROLE_ARN ?? "").split(":");
  return `arn:${partition}:dynamodb:${config.AWS_REGION}:${account}:table/${config.TABLE_NAME}`;
}

/**
 * IoT (issue 17 item 1): the tenant-access role's statement on things, for the tenant `tenant`
 * (in IAM: `${aws:PrincipalTag/tenant}`): every thing action a route may hold (shadows, registering
 * and deregistering), on `thing/warden_<tenant>_*` only. Certificates and the gateway policy are
 * not things: the registry routes keep those on their own role.
 */
export function tenantIotStatementJson(tenant: string, thingArnOf: (name: string) => string) {
  return { Effect: "Allow", Action: [...TENANT_THING_ACTIONS], Resource: [thingArnOf(tenantThingPattern(tenant))] };
}

/** The route's thing statement for a tenant session's policy (none when the route touches no thing). */
function iotSessionStatementsJson(tenantId: string, needs: IotNeeds) {
  const actions = thingActions(needs);
  if (actions.length === 0) return [];
  const [, partition = "aws", , , account = "000000000000"] = (config.WARDEN_TENANT_ROLE_ARN ?? "").split(":");
  const thingArn = (name: string) => `arn:${partition}:iot:${config.AWS_REGION}:${account}:thing/${name}`;
  return [{ Effect: "Allow", Action: actions, Resource: [thingArn(tenantThingPattern(tenantId))] }];
}

/** Sessions last 15 minutes (STS's minimum) and are renewed when fewer than 5 remain. */
const DURATION_SECONDS = 900;
const RENEW_BEFORE_MS = 5 * 60_000;
const CACHE_MAX = 200;

let issuer: CredentialIssuer | undefined;

/** Replaces the issuer for this process (tests). By default: STS when deployed, the stand-in locally. */
export function useCredentialIssuer(adapter: CredentialIssuer | undefined): void {
  issuer = adapter;
  sessions.clear();
}

function currentIssuer(): CredentialIssuer {
  if (issuer) return issuer;
  return config.WARDEN_TENANT_ROLE_ARN === undefined && config.DYNAMODB_ENDPOINT !== undefined
    ? localStsIssuer
    : stsIssuer;
}

/** Credentials per tenant and session policy (one per route in a deployed container). */
const sessions = new Map<string, Promise<TenantCredentials>>();

/** The tenant's credentials for a session policy: from the cache, or freshly issued. */
export async function tenantCredentials(tenantId: string, sessionPolicy: string): Promise<TenantCredentials> {
  const key = `${tenantId}|${createHash("sha256").update(sessionPolicy).digest("base64url")}`;
  const cached = sessions.get(key);
  if (cached) {
    const credentials = await cached.catch(() => undefined);
    if (credentials && credentials.expiration.getTime() - Date.now() > RENEW_BEFORE_MS) return credentials;
    if (sessions.get(key) === cached) sessions.delete(key);
  }
  const issued = currentIssuer().issue({ tenantId, sessionPolicy, durationSeconds: DURATION_SECONDS });
  if (sessions.size >= CACHE_MAX) sessions.delete(sessions.keys().next().value ?? "");
  sessions.set(key, issued);
  issued.catch(() => sessions.delete(key));
  return issued;
}

/** The session a route's request of `tenantId` runs under: its table statements and its session policy. */
function routeSession(tenantId: string, needs: TableNeeds) {
  const statements = sessionTableStatements(tenantId, needs);
  const sessionPolicy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [...tableStatementsJson(statements, tableArn()), ...iotSessionStatementsJson(tenantId, needs)],
  });
  return { statements, sessionPolicy };
}

/**
 * Starts obtaining the credentials `enterTenantScope` will need, while the caller's token is
 * checked against the table (the kit calls it once the token's signature is verified, so the
 * tenant is the one the token was signed for): in AWS the STS AssumeRole of a container's first
 * request of a tenant and route runs beside authentication's BatchGetItem instead of after it.
 * Nothing is entered: a request that authentication then refuses never uses them (they stay in
 * the container's cache, as after any request of the tenant). A failure is left to `enterTenantScope`.
 */
export function prefetchTenantCredentials(tenantId: string, needs: TableNeeds): void {
  if (!needs.table) return;
  tenantCredentials(tenantId, routeSession(tenantId, needs).sessionPolicy).catch(() => undefined);
}

/**
 * Switches the rest of the request to the tenant's credentials: obtains them (cached) and enters
 * the table scope the kit opened. A route without table access needs none.
 */
export async function enterTenantScope(tenantId: string, needs: TableNeeds): Promise<void> {
  if (!needs.table) return;
  const { statements, sessionPolicy } = routeSession(tenantId, needs);
  const credentials = await tenantCredentials(tenantId, sessionPolicy);
  enterTenant({ tenantId, credentials, policies: [tenantAccessStatements(tenantId), statements] });
  // The route's thing calls (shadows, registry) run under the same session: only this tenant's things.
  const iotActions = thingActions(needs);
  if (iotActions.length > 0) enterIotTenant({ tenantId, credentials, actions: iotActions });
}
