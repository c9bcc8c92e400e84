/**
 * A tenant's authentication policy (gateway spec "Get Authentication Settings"). A new tenant
 * starts with the spec example's settings; the stored item holds only what the tenant changed
 * on top of these defaults, so new policy fields reach existing tenants with their default.
 */
import * as z from "zod/mini";
import { keys } from "#shared/db/keys.ts";
import type { Item } from "#shared/db/repo.ts";

export const AuthPolicy = z.object({
  password_policy: z.object({
    min_length: z.number(),
    max_length: z.number(),
    expiry_days: z.number(),
    history_size: z.number(),
    require_special_chars: z.boolean(),
    require_numbers: z.boolean(),
    require_uppercase: z.boolean(),
    require_lowercase: z.boolean(),
    prevent_reuse: z.boolean(),
    prevent_common: z.boolean(),
    prevent_sequential: z.boolean(),
    prevent_username: z.boolean(),
  }),
  account_protection: z.object({
    lockout_attempts: z.number(),
    lockout_duration: z.number(),
    lockout_window: z.number(),
    captcha_enabled: z.boolean(),
    captcha_threshold: z.number(),
    ip_blacklist_enabled: z.boolean(),
    ip_blacklist_threshold: z.number(),
  }),
  session_settings: z.object({
    timeout_minutes: z.number(),
    max_concurrent_sessions: z.number(),
    session_renewal: z.boolean(),
    idle_timeout: z.number(),
    remember_me_days: z.number(),
    secure_cookies: z.boolean(),
    http_only_cookies: z.boolean(),
  }),
  two_factor: z.object({
    mode: z.enum(["disabled", "optional", "required"]),
    enforced_for_roles: z.array(z.string()),
    methods: z.array(z.enum(["app", "sms", "email"])),
    default_method: z.enum(["app", "sms", "email"]),
    backup_codes_count: z.number(),
    recovery_enabled: z.boolean(),
  }),
  brute_force_protection: z.object({
    enabled: z.boolean(),
    max_attempts_per_ip: z.number(),
    window_minutes: z.number(),
    block_duration: z.number(),
  }),
});
export type AuthPolicy = z.infer<typeof AuthPolicy>;

export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  password_policy: {
    min_length: 8,
    max_length: 64,
    expiry_days: 90,
    history_size: 5,
    require_special_chars: true,
    require_numbers: true,
    require_uppercase: true,
    require_lowercase: true,
    prevent_reuse: true,
    prevent_common: true,
    prevent_sequential: true,
    prevent_username: true,
  },
  account_protection: {
    lockout_attempts: 5,
    lockout_duration: 15,
    lockout_window: 15,
    captcha_enabled: true,
    captcha_threshold: 3,
    ip_blacklist_enabled: true,
    ip_blacklist_threshold: 10,
  },
  session_settings: {
    timeout_minutes: 15,
    max_concurrent_sessions: 3,
    session_renewal: true,
    idle_timeout: 30,
    remember_me_days: 30,
    secure_cookies: true,
    http_only_cookies: true,
  },
  two_factor: {
    mode: "optional",
    enforced_for_roles: ["admin"],
    methods: ["app", "sms", "email"],
    default_method: "app",
    backup_codes_count: 10,
    recovery_enabled: true,
  },
  brute_force_protection: { enabled: true, max_attempts_per_ip: 50, window_minutes: 60, block_duration: 1440 },
};

export const authPolicyKey = (tenantId: string) => keys.settings(tenantId, "authentication");

/** Defaults overlaid with the stored overrides, section by section. */
export function resolveAuthPolicy(item: Item | undefined): AuthPolicy {
  const stored = (item?.policy ?? {}) as Partial<Record<keyof AuthPolicy, Record<string, unknown>>>;
  const merged = Object.fromEntries(
    Object.entries(DEFAULT_AUTH_POLICY).map(([section, defaults]) => [
      section,
      { ...defaults, ...(stored[section as keyof AuthPolicy] ?? {}) },
    ]),
  );
  return AuthPolicy.parse(merged);
}
