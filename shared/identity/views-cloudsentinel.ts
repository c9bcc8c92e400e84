/** How cloudsentinel-api.md shows a user. */
import type { User } from "#shared/identity/db/users.ts";

export const cloudsentinelUser = (u: User) => ({
  id: u.id,
  email: u.email,
  username: u.username,
  full_name: u.fullName,
  role: u.role,
  is_active: u.status === "active",
  created_at: u.createdAt,
  last_login: u.lastLogin,
});
