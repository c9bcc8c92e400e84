/**
 * Key strings, generated here and nowhere else. The tenant id leads every tenant-owned partition
 * key (`T#<tenant>…`), so an IAM `dynamodb:LeadingKeys` condition can fence a tenant and no query
 * can cross tenants by accident.
 *
 * The only partitions not led by a tenant are the global identity pointers under `G#`: a login
 * name or an API key hash must be resolved to its tenant before the tenant is known. Those items
 * hold a pointer (tenant id, user id) and nothing else.
 */
export const pad = (n: number, width = 10): string => String(n).padStart(width, "0");

export const tenantPk = (tenantId: string): string => `T#${tenantId}`;
export const isTenantKey = (tenantId: string, key: unknown): boolean =>
  typeof key === "string" && (key === tenantPk(tenantId) || key.startsWith(`${tenantPk(tenantId)}#`));

export const keys = {
  tenant: (tenantId: string) => ({ PK: tenantPk(tenantId), SK: "TENANT" }),
  counter: (tenantId: string, name: string) => ({ PK: tenantPk(tenantId), SK: `COUNTER#${name}` }),
  user: (tenantId: string, userId: number) => ({ PK: tenantPk(tenantId), SK: `USER#${pad(userId)}` }),
  userPrefix: "USER#",
  revokedToken: (tenantId: string, jti: string) => ({ PK: tenantPk(tenantId), SK: `REVOKED#${jti}` }),
  settings: (tenantId: string, name: string) => ({ PK: tenantPk(tenantId), SK: `SETTINGS#${name}` }),
  /** Global pointer from a normalized login name (username or email) to its user. */
  login: (normalizedName: string) => ({ PK: `G#LOGIN#${normalizedName}`, SK: "LOGIN" }),
  /** Tenant slug guard, so two organizations cannot share an id. */
  tenantSlug: (tenantId: string) => ({ PK: `G#TENANT#${tenantId}`, SK: "TENANT" }),
  /** The chain head lives beside the day partitions, so "may append to the audit trail" is one key prefix. */
  auditHead: (tenantId: string) => ({ PK: `${tenantPk(tenantId)}#AUDIT`, SK: "HEAD" }),
  /** Audit records are sharded by UTC day, so a day's writes and an hours-range read stay small. */
  auditDayPk: (tenantId: string, day: string) => `${tenantPk(tenantId)}#AUDIT#${day}`,
  auditSk: (timestamp: string, seq: number) => `${timestamp}#${pad(seq, 12)}`,
  rateWindow: (subject: string, rateClass: string, windowStart: number) => ({
    PK: `${subject}#RL`,
    SK: `${rateClass}#${windowStart}`,
  }),
} as const;

export type Key = { PK: string; SK: string };
