/**
 * A tenant's token settings: one settings document, `T#<tenant>` / `SETTINGS#access:tokens`,
 * holding the access-token lifetime the tenant chose (never longer than the platform's).
 */
import * as z from "zod/mini";
import { settingsDocument } from "#shared/table/settings-doc.ts";

export const TokenSettings = z.object({
  /** Access-token lifetime chosen by the tenant (never longer than the platform's). */
  accessTokenTtlSeconds: z._default(z.nullable(z.number()), null),
  updatedAt: z._default(z.nullable(z.string()), null),
  version: z._default(z.number(), 0),
});
export type TokenSettings = z.infer<typeof TokenSettings>;

export const tokenSettings = settingsDocument("tokens", TokenSettings, "access:tokens");
