/** How securenet-api.md shows a user. */
import type { User } from "#shared/identity/db/users.ts";

export const securenetUser = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  role: u.role,
  last_login: u.lastLogin,
});
