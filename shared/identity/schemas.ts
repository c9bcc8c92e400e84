/** Request field schemas shared by several endpoints, so a field means the same everywhere. */
import * as z from "zod/mini";

export const username = z
  .string()
  .check(
    z.trim(),
    z.minLength(3),
    z.maxLength(64),
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      "may contain letters, digits, '.', '_' and '-' and must start with a letter or digit",
    ),
  );
export const email = z.email().check(z.maxLength(254));
/** Length is checked by the tenant's policy; this only bounds the work scrypt is asked to do. */
export const password = z.string().check(z.minLength(1), z.maxLength(1024));
/** Username or email, as every login route accepts either. */
export const loginName = z.string().check(z.trim(), z.minLength(1), z.maxLength(254));
export const fullName = z.string().check(z.trim(), z.maxLength(128));
