/**
 * Tenancy's request schemas: the emergency lock (lock, unlock, PIN) and the settings save-all
 * route, whose sections are the owning areas' own schemas.
 */
import * as z from "zod/mini";
import { CertificateSettingsSection } from "#shared/certificates/schemas.ts";
import { FirewallSettingsBody, SshSettingsBody } from "#shared/fleet/schemas.ts";
import { AuthPolicyPatch, email } from "#shared/identity/schemas.ts";
import { freeText } from "#shared/kit/text.ts";
import { PIN_PATTERN } from "./system-lock.ts";

// --- Emergency lock (gateway /lock, /unlock, /lock/pin)

export const lockBody = z.strictObject({
  reason: freeText({ min: 1, max: 500 }),
  duration_minutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(1440)), 30),
  lock_users: z._default(z.boolean(), true),
  lock_api: z._default(z.boolean(), true),
  lock_ssh: z._default(z.boolean(), true),
  notify_users: z._default(z.boolean(), false),
  emergency_contact: z.optional(email),
});

export const unlockBody = z.strictObject({
  admin_pin: z.string().check(z.regex(PIN_PATTERN, "must be 4 to 12 digits")),
  emergency_code: z.optional(z.string().check(z.regex(/^EMG-\d{6,12}$/, "must look like EMG-123456"))),
});

const lockPin = z.string().check(z.regex(PIN_PATTERN, "must be 4 to 12 digits"));

export const lockPinBody = z.strictObject({ pin: lockPin, current_pin: z.optional(lockPin) });

// --- Save all security settings (gateway /settings/save-all)

export const saveAllBody = z.strictObject({
  authentication: z.optional(AuthPolicyPatch),
  firewall: z.optional(FirewallSettingsBody),
  ssh: z.optional(SshSettingsBody),
  /** One gateway's certificate settings (`gateway_id` optional while the tenant has one gateway). */
  certificates: z.optional(CertificateSettingsSection),
  audit: z.optional(
    z.strictObject({
      retention_days: z.optional(z.number().check(z.int(), z.gte(1), z.lte(3650))),
    }),
  ),
});
