import * as z from "zod/mini";
import { ipRestrictionField, scopeField, updateApiKey } from "#shared/identity/api-keys.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

const body = z.strictObject({
  key_id: z.int().check(z.positive()),
  name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  description: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  scope: z.optional(z.array(scopeField).check(z.minLength(1), z.maxLength(50))),
  /** Days from now; null removes the expiry. */
  expiry_days: z.optional(z.nullable(z.int().check(z.gte(1), z.lte(3650)))),
  rate_limit: z.optional(z.int().check(z.gte(1), z.lte(100_000))),
  ip_restrictions: z.optional(z.array(ipRestrictionField).check(z.maxLength(100))),
});

export const endpoint = defineEndpoint("POST /cloud-integration/security/api-keys/update", { body }, async (req) => {
  const { key, changes } = await updateApiKey(req.principal, {
    keyId: req.body.key_id,
    name: req.body.name,
    description: req.body.description,
    scope: req.body.scope,
    expiryDays: req.body.expiry_days,
    rateLimit: req.body.rate_limit,
    ipRestrictions: req.body.ip_restrictions,
  });
  req.audit({ resource: `api-key/${key.id}`, details: { key_id: key.id, key_prefix: key.keyPrefix, changes } });
  return {
    status: "updated",
    key_id: key.id,
    key_name: key.name,
    message: Object.keys(changes).length ? "API key updated successfully" : "No changes",
    changes,
  };
});
