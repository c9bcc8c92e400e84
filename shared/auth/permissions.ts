/**
 * Permissions are `resource:action` strings; `*` grants everything and `resource:*` a whole
 * resource. Within a resource, `admin` implies `write` and `write` implies `read`.
 */
export const AUTHENTICATED = "authenticated";

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

export function grants(held: string, wanted: string): boolean {
  if (held === "*" || held === wanted) return true;
  const [hr, ha] = held.split(":");
  const [wr, wa] = wanted.split(":");
  if (hr !== wr || ha === undefined || wa === undefined) return false;
  if (ha === "*") return true;
  const h = RANK[ha];
  const w = RANK[wa];
  return h !== undefined && w !== undefined && h >= w;
}

export function hasPermission(held: readonly string[], wanted: string): boolean {
  if (wanted === AUTHENTICATED) return true;
  return held.some((p) => grants(p, wanted));
}

/** True when every permission in `wanted` is granted by `held`: nobody can hand out more than they have. */
export function coversAll(held: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((w) => hasPermission(held, w));
}

export interface RoleDefinition {
  name: string;
  description: string;
  permissions: string[];
  default: boolean;
  protected: boolean;
}

/**
 * The permission catalogue: every permission some route of the table checks, by resource — the one
 * vocabulary roles, API-key scopes and the roles listing use. test/unit/auth/permission-catalogue.test.ts
 * derives the routes' permissions from the route table and holds this list to it both ways (every
 * route's permission is here; everything here is checked by a route). A new area adds its
 * permissions here when its routes land. Within a resource, admin > write > read (see `grants`).
 */
export const PERMISSIONS = {
  users: ["users:read", "users:write", "users:admin"],
  security: ["security:read", "security:write", "security:admin", "security:reset"],
  audit: ["audit:read", "audit:admin"],
  gateways: ["gateways:read", "gateways:admin"],
  firewall: ["firewall:read", "firewall:write"],
  ssh: ["ssh:read", "ssh:write"],
  certificates: ["certificates:read", "certificates:write"],
  compliance: ["compliance:read", "compliance:write", "compliance:admin"],
  incidents: ["incidents:read", "incidents:write"],
  billing: ["billing:read", "billing:admin"],
  metrics: ["metrics:read"],
  cloud: ["cloud:read", "cloud:write"],
  insights: ["insights:read", "insights:write"],
  // Backup and restore of the whole security configuration: held by admins only ("*").
  backup: ["backup:create", "backup:restore"],
} as const satisfies Record<string, readonly `${string}:${string}`[]>;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS][number];

/** Every catalogued permission, flat (a function, so bundles that never list them leave the catalogue out). */
export const allPermissions = (): readonly Permission[] => Object.values(PERMISSIONS).flat();

/**
 * Built-in roles (the names and descriptions of the gateway spec's "Get Roles"), their grants
 * written against the catalogue: what each role does on this platform's routes.
 */
export const BUILT_IN_ROLES: Record<string, RoleDefinition> = {
  admin: {
    name: "Admin",
    description: "Full system access. Can manage all aspects including users, security, and system configuration.",
    permissions: ["*"],
    default: false,
    protected: true,
  },
  engineer: {
    name: "Engineer",
    description: "Technical configuration: registers gateways, configures their firewall and SSH.",
    permissions: [
      "gateways:admin",
      "firewall:write",
      "ssh:write",
      "security:read",
      // Engineers run gateway security scans (and cancel them, end the weekly schedule).
      "security:write",
      "audit:read",
      "certificates:write",
      // GRC: engineers implement controls, work through hardening checklists and respond to incidents.
      "compliance:write",
      "incidents:write",
      "metrics:read",
      // Cloudsentinel: engineers run cloud scans and work their alerts.
      "cloud:write",
      // Insights: engineers upload training data and train the anomaly models.
      "insights:write",
    ] satisfies Permission[],
    default: false,
    protected: false,
  },
  operator: {
    name: "Operator",
    description: "Day-to-day operations: sees the fleet, operates its firewall and SSH, runs incidents.",
    // GRC: operators see where compliance stands and run incidents (report, update status); they do
    // not change policies, controls, checklists, audits or compliance items.
    permissions: [
      "gateways:read",
      "firewall:write",
      "ssh:write",
      "security:read",
      "audit:read",
      "certificates:read",
      "compliance:read",
      "incidents:write",
      "metrics:read",
      // Cloudsentinel: operators see scans, findings and alerts; starting scans is an engineer's call.
      "cloud:read",
      "insights:read",
    ] satisfies Permission[],
    default: false,
    protected: false,
  },
  technician: {
    name: "Technician",
    description: "Device maintenance: sees the fleet, manages SSH access.",
    permissions: ["gateways:read", "firewall:read", "ssh:write", "metrics:read"] satisfies Permission[],
    default: false,
    protected: false,
  },
  viewer: {
    name: "Viewer",
    description: "Read-only access to the fleet, its firewall, SSH and certificates, and to compliance.",
    // GRC: read-only, as everywhere else. (Technicians get no GRC permission at all.)
    permissions: [
      "gateways:read",
      "firewall:read",
      "ssh:read",
      "certificates:read",
      "compliance:read",
      "incidents:read",
      "metrics:read",
      "cloud:read",
      "insights:read",
    ] satisfies Permission[],
    default: true,
    protected: false,
  },
};

/** The least-privileged role, given to self-registered users unless an admin asks for more. */
export const DEFAULT_ROLE = "viewer";
