/**
 * Identity as each surface shows it: domain objects (camelCase) in, the spec's wire shape out.
 */
import type { User } from "#shared/identity/db/users.ts";

/** How every login route answers when a second factor is still needed: no token yet. */
export const twoFactorChallenge = (c: { challengeToken: string; methods: readonly string[]; expiresIn: number }) => ({
  two_factor_required: true,
  challenge_token: c.challengeToken,
  methods: c.methods,
  expires_in: c.expiresIn,
});

/** How cloudsentinel-api.md shows a user. */
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

/** How securenet-api.md shows a user. */
export const securenetUser = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  role: u.role,
  last_login: u.lastLogin,
});
