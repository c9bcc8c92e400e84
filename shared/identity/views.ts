/** How every login route answers when a second factor is still needed: no token yet. */
export const twoFactorChallenge = (c: { challengeToken: string; methods: readonly string[]; expiresIn: number }) => ({
  two_factor_required: true,
  challenge_token: c.challengeToken,
  methods: c.methods,
  expires_in: c.expiresIn,
});
