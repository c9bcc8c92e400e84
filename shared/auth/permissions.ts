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

/** Built-in roles, as the gateway spec's "Get Roles" lists them (plus operator from its permission mapping). */
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
    description:
      "Technical configuration and diagnostics access. Can configure devices, run diagnostics, and manage tags.",
    permissions: [
      "devices:read",
      "devices:write",
      "devices:configure",
      "config:read",
      "config:write",
      "diagnostics:run",
      "diagnostics:read",
      "tags:read",
      "tags:write",
      // GRC: engineers implement controls, work through hardening checklists and respond to incidents.
      "compliance:write",
      "incidents:write",
    ],
    default: false,
    protected: false,
  },
  operator: {
    name: "Operator",
    description: "Day-to-day operations. Can view and operate devices and read their configuration.",
    // GRC: operators see where compliance stands and run incidents (report, update status); they do
    // not change policies, controls, checklists, audits or compliance items.
    permissions: [
      "devices:read",
      "devices:write",
      "config:read",
      "alerts:read",
      "reports:read",
      "dashboard:read",
      "compliance:read",
      "incidents:write",
    ],
    default: false,
    protected: false,
  },
  technician: {
    name: "Technician",
    description:
      "Device maintenance and sensor management. Can view devices, perform maintenance, and view basic data.",
    permissions: ["devices:read", "devices:maintenance", "alerts:read", "reports:read"],
    default: false,
    protected: false,
  },
  viewer: {
    name: "Viewer",
    description: "Read-only access. Can view devices, data, and reports but cannot make changes.",
    // GRC: read-only, as everywhere else. (Technicians get no GRC permission at all.)
    permissions: ["devices:read", "alerts:read", "reports:read", "dashboard:read", "compliance:read", "incidents:read"],
    default: true,
    protected: false,
  },
};

/** The least-privileged role, given to self-registered users unless an admin asks for more. */
export const DEFAULT_ROLE = "viewer";
