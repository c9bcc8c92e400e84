/**
 * Gateway "Get Security Status": score, level, issues and components computed from the tenant's
 * real state (policy, users, 2FA, locks, API keys, the audit trail, the firewall and SSH
 * configuration), with no invented numbers.
 */
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { readAudit } from "#shared/audit/trail.ts";
import { firewallSummary } from "#shared/fleet/firewall.ts";
import { sshSummary } from "#shared/fleet/ssh.ts";
import { authPolicyKey } from "#shared/identity/db/auth-policy.ts";
import { userKeys } from "#shared/identity/db/users.ts";
import { securityStatus } from "#shared/reports/security-status.ts";
import { db, tableName } from "#shared/table/client.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const PATH = "/cloud-integration/security/status";

let acme: Tenant;
let globex: Tenant;
let viewer: { id: number; token: string };

/** What the firewall and SSH areas report for a tenant, and the penalties the status derives from it. */
async function gatewayState(tenantId: string) {
  const [fw, ssh] = await Promise.all([firewallSummary(tenantId), sshSummary(tenantId)]);
  const recommendations = [
    ...(fw.enabled ? [] : ["Enable the gateway firewall"]),
    ...(ssh.enabled && ssh.password_authentication ? ["Disable SSH password authentication (keys only)"] : []),
  ];
  const penalty = (fw.enabled ? 0 : 10) + (ssh.enabled && ssh.password_authentication ? 5 : 0);
  return { fw, ssh, recommendations, penalty };
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("status-acme"), newTenant("status-globex")]);
  const username = `viewer-${acme.tenantId.slice(-8)}`;
  const password = "Secure-Passw0rd!x";
  const reg = await call("POST", "/api/v1/auth/register", {
    token: acme.token,
    body: { email: `${username}@example.com`, username, password },
  });
  const login = await call("POST", "/api/v1/auth/token", { body: { username, password }, ip: freshIp() });
  viewer = { id: reg.body.id, token: login.body.access_token };
});

describe("GET /cloud-integration/security/status", () => {
  it("answers every spec field for a fresh organization, from its real state", async () => {
    const gw = await gatewayState(globex.tenantId);
    const events = await readAudit(globex.tenantId, new Date(Date.now() - 86_400_000), new Date());
    const res = await call("GET", PATH, { token: globex.token });
    expect(res.status).toBe(200);
    // One admin without 2FA: coverage 0% → the whole 15-point 2FA penalty.
    const score = 100 - 15 - gw.penalty;
    expect(res.body).toEqual({
      security_level: score >= 85 ? "secure" : score >= 60 ? "warning" : "critical",
      security_score: score,
      last_scan: null,
      issues_found: 1 + gw.recommendations.length,
      recommendations: ["Enable 2FA for all users", ...gw.recommendations],
      components: {
        authentication: {
          status: "enabled",
          health: "warning",
          issues: 1,
          users_total: 1,
          users_locked: 0,
          two_factor_mode: "optional",
          two_factor_coverage: 0,
          api_keys_active: 0,
        },
        firewall: {
          status: gw.fw.enabled ? "active" : "disabled",
          health: gw.fw.enabled ? "good" : "warning",
          rules_active: gw.fw.rules_active,
        },
        ssh: {
          status: !gw.ssh.enabled ? "disabled" : gw.ssh.password_authentication ? "enabled" : "restricted",
          health: gw.ssh.enabled && gw.ssh.password_authentication ? "warning" : "good",
          active_sessions: gw.ssh.active_sessions,
        },
        certificates: { status: "not_configured", health: "unknown" },
        audit: { status: "enabled", health: "good", events_24h: events.length },
      },
    });
    expect(events.length).toBeGreaterThan(0);
  });

  it("lowers the score for each real weakness and names it", async () => {
    const t = await newTenant("status-weak");
    const username = `locked-${t.tenantId.slice(-8)}`;
    const reg = await call("POST", "/api/v1/auth/register", {
      token: t.token,
      body: { email: `${username}@example.com`, username, password: "Secure-Passw0rd!x" },
    });
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: userKeys.user(t.tenantId, reg.body.id),
        UpdateExpression: "SET #s = :locked, lockedUntil = :until",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":locked": "locked", ":until": new Date(Date.now() + 3_600_000).toISOString() },
      }),
    );
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: userKeys.user(t.tenantId, t.userId),
        UpdateExpression: "SET twoFactorEnabled = :on",
        ExpressionAttributeValues: { ":on": true },
      }),
    );
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...authPolicyKey(t.tenantId),
          type: "Settings",
          policy: { two_factor: { mode: "disabled" }, brute_force_protection: { enabled: false } },
          version: 1,
        },
      }),
    );
    const key = await call("POST", "/cloud-integration/security/api-keys/generate", {
      token: t.token,
      body: { name: "god mode", scope: ["*"] },
    });
    expect(key.status).toBe(201);

    const gw = await gatewayState(t.tenantId);
    const res = await call("GET", PATH, { token: t.token });
    expect(res.status).toBe(200);
    const expected = [
      "Enable two-factor authentication (mode optional or required)",
      "Enable 2FA for all users",
      "Enable brute-force protection",
      "Review 1 locked account",
      "Set an expiry on 1 API key that never expires",
      "Narrow the scope of 1 API key with full access ('*')",
    ];
    expect(res.body.recommendations).toEqual([...expected, ...gw.recommendations]);
    // 15 (2FA off) + 8 (half the users without 2FA) + 10 + 5 + 5 + 5
    expect(res.body.security_score).toBe(100 - 48 - gw.penalty);
    expect(res.body.security_level).toBe("critical");
    expect(res.body.issues_found).toBe(expected.length + gw.recommendations.length);
    expect(res.body.components.authentication).toEqual({
      status: "enabled",
      health: "critical",
      issues: 6,
      users_total: 2,
      users_locked: 1,
      two_factor_mode: "disabled",
      two_factor_coverage: 50,
      api_keys_active: 1,
    });
  });

  it("reports the firewall and SSH as their areas summarise them, and penalises a disabled firewall and SSH passwords", async () => {
    const status = await securityStatus(acme.tenantId, {
      firewall: async () => ({ enabled: false, rules_active: 0 }),
      ssh: async () => ({ enabled: true, password_authentication: true, active_sessions: 2 }),
    });
    expect(status.components.firewall).toEqual({ status: "disabled", health: "warning", rules_active: 0 });
    expect(status.components.ssh).toEqual({ status: "enabled", health: "warning", active_sessions: 2 });
    expect(status.recommendations).toEqual(
      expect.arrayContaining(["Enable the gateway firewall", "Disable SSH password authentication (keys only)"]),
    );
    const without = await securityStatus(acme.tenantId);
    expect(without.components.firewall).toEqual({ status: "not_configured", health: "unknown" });
    expect(without.components.ssh).toEqual({ status: "not_configured", health: "unknown" });
  });

  it("answers 401 without a token and 403 for a viewer", async () => {
    expect((await call("GET", PATH)).status).toBe(401);
    const denied = await call("GET", PATH, { token: viewer.token });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("security:read");
  });
});
