/**
 * One list of component names for backup, restore and reset (issue 10): what each holds in the
 * archive, and whether a restore can write it back.
 */
import { Invalid } from "#shared/kit/errors.ts";

export const COMPONENTS = [
  "users",
  "roles",
  "api_keys",
  "firewall_rules",
  "ssh",
  "certificates",
  "audit_logs",
  "authentication",
  "settings",
] as const;
export type Component = (typeof COMPONENTS)[number];

const ALIASES: Record<string, Component> = { firewall: "firewall_rules" };

/** The archive entries each component writes (a trailing slash: a folder of files). */
export const FILES: Record<Component, string> = {
  users: "users.json",
  roles: "roles.json",
  api_keys: "api_keys.json",
  firewall_rules: "firewall_rules.json",
  ssh: "ssh_keys/",
  certificates: "certificates/",
  audit_logs: "audit_logs.csv",
  authentication: "authentication.json",
  settings: "settings.json",
};

/**
 * Components a restore never writes, and why: the audit trail is append-only and hash-chained
 * (a restore cannot rewrite history), and a backup holds only the public half of certificates
 * (a gateway's private keys never leave it), so neither can be put back.
 */
export const NOT_RESTORABLE: Partial<Record<Component, string>> = {
  audit_logs: "the audit trail is append-only and hash-chained: a backup's copy is for reading, never written back",
  certificates: "a backup holds public certificates only; the private keys stay on the gateways",
};

/**
 * Parses `components` as a list: a JSON array (`["users","firewall_rules"]`, the spec's restore
 * form) or comma-separated names (the spec's backup query). Unknown names are a 400 naming the
 * field; aliases map to their component; duplicates collapse. Undefined or empty: every component.
 */
export function parseComponents(value: string | undefined, loc: (string | number)[]): Component[] {
  if (value === undefined || value.trim() === "") return [...COMPONENTS];
  let names: unknown;
  const text = value.trim();
  if (text.startsWith("[")) {
    try {
      names = JSON.parse(text);
    } catch {
      names = undefined;
    }
    if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
      const msg = "must be a JSON array of component names or a comma-separated list";
      throw new Invalid(`${loc.join(".")}: ${msg}`, [{ loc, msg, type: "value_error" }]);
    }
  } else names = text.split(",");
  const out = new Set<Component>();
  for (const raw of names as string[]) {
    const name = raw.trim().toLowerCase();
    const c = ALIASES[name] ?? (COMPONENTS as readonly string[]).find((x) => x === name);
    if (!c) {
      const msg = `unknown component '${raw.trim().slice(0, 40)}' (one of ${[...COMPONENTS, ...Object.keys(ALIASES)].join(", ")})`;
      throw new Invalid(`${loc.join(".")}: ${msg}`, [{ loc, msg, type: "value_error" }]);
    }
    out.add(c as Component);
  }
  if (out.size === 0) return [...COMPONENTS];
  return COMPONENTS.filter((c) => out.has(c));
}
