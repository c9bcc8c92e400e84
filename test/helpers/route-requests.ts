/**
 * For every route of the table, a request that succeeds for an administrator of a world: the
 * valid bodies, queries and paths the matrices send, naming objects that exist, so that a refusal
 * is the permission's doing (BFLA) or the tenant boundary's (BOLA), never a typo's.
 *
 * A route without an entry here still gets a request: one generated from its own schema (seeded),
 * with every field that names an object filled with one of the world's. Such a request may still
 * fail in the domain (the generator cannot know every rule), so matrices only hold it to "never
 * let the wrong caller through" — add an entry to hold it to "succeeds for those allowed".
 */
import fc from "fast-check";
import Stripe from "stripe";
import type { CallOptions, CallResult } from "./api.ts";
import { DEMO_SCAN, scanRunner, stableScan } from "./cloudsentinel-world.ts";
import * as grc from "./grc-world.ts";
import { asMember } from "./grc-world.ts";
import { type CatalogueRoute, concretePath, type ObjectKind, type Schema } from "./route-catalogue.ts";
import { multipart, newSshPublicKey, type Principal, strongPassword, type World } from "./world.ts";
import { validArbitrary } from "./zod-arbitrary.ts";

/** A fresh EC certificate with its key (certificates routes). */
const certificateFor = async (label: string) =>
  (await import("./certificates-fixtures.ts")).makeCertificate({
    cn: `${label
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .slice(0, 40)}.warden.test`,
    ec: true,
  });

export type Ingest = (event: Record<string, unknown>) => Promise<unknown>;

export interface RequestContext {
  /** Who will send the request. */
  p: Principal;
  /** The world whose objects the request names (the caller's, or another tenant's for BOLA). */
  w: World;
  /** A world for the public sign-in routes, which name no tenant's objects. */
  pub: World;
  /** The IoT ingest handler, to have a gateway report an SSH session. */
  ingest: Ingest;
  /**
   * The request is expected to succeed: a destructive one gets an object of its own (a user to
   * delete) and the world is put in the state it needs (locked, for unlock). Otherwise the request
   * is refused before the domain sees it: it names objects that already stand (the caller's own
   * account, the world's standing gateway) and leaves the world's state as it is.
   */
  fresh: boolean;
}

export interface RouteRequest {
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  rawBody?: Buffer | string;
  headers?: Record<string, string>;
  /** Credentials to send instead of the caller's own (a spare token, so sign-out ends only that one). */
  credentials?: Pick<CallOptions, "token" | "apiKey">;
  /** Bookkeeping once the request was answered (a new PIN, a used factor, a renewed token). */
  after?: (res: CallResult) => Promise<void> | void;
  /** Generated from the schema rather than written for the route: it may fail in the domain. */
  generated?: boolean;
}

type Draft = Omit<RouteRequest, "path"> & { params?: Record<string, string | number> };
type Build = (ctx: RequestContext) => Promise<Draft>;

const B = "/cloud-integration/security";
const S = "/api/security";
const DS = "/api/dashboard/security";

/** The caller's own account, for the routes that act on the signed-in user. */
function self(ctx: RequestContext) {
  const u = ctx.p.user;
  if (!u || ctx.p.kind !== "token") return undefined;
  return u;
}

/** A user a refused request may name: the caller's own account (no user needs making for it). */
async function standingUser(ctx: RequestContext) {
  return ctx.p.user && ctx.p.world === ctx.w && ctx.p.user.id !== ctx.w.admin.id ? ctx.p.user : ctx.w.target();
}

/** A token principal's token, minted again after a request ended its sessions. */
async function renewToken(ctx: RequestContext): Promise<void> {
  const u = self(ctx);
  if (u) ctx.p.token = await ctx.w.mint(u);
}

/** A GRC request whose caller is first made a member of the world's default enterprise. */
const member =
  (build: Build): Build =>
  async (ctx) => {
    await asMember(ctx);
    return build(ctx);
  };

const REQUESTS: Record<string, Build> = {
  // --- sign-in (public routes: objects of the shared world) ---------------------------------------
  "POST /api/auth/login/2fa": async ({ pub }) => {
    const c = await pub.challenge();
    return { body: { challenge_token: c.challengeToken, code: c.code } };
  },
  "POST /api/v1/auth/token": async ({ pub }) => {
    const u = await pub.loginUser();
    return { body: { username: u.username, password: u.password } };
  },
  "POST /api/auth/login": async ({ pub }) => {
    const u = await pub.loginUser();
    return { body: { username: u.username, password: u.password } };
  },
  "POST /api/auth/signup": async ({ pub }) => {
    const name = pub.name("signup");
    return {
      body: { organization: `Org ${name}`, username: name, email: `${name}@example.com`, password: strongPassword() },
    };
  },
  "GET /.well-known/jwks.json": async () => ({}),
  "GET /openapi.json": async () => ({}),
  "POST /api/v1/auth/register": async ({ w }) => {
    const name = w.name("registered");
    return {
      body: { email: `${name}@example.com`, username: name, password: strongPassword(), role: await w.minimalRole() },
    };
  },
  "GET /api/v1/auth/me": async () => ({}),
  "GET /api/v1/auth/validate": async () => ({}),
  "GET /api/auth/me": async () => ({}),
  // Sign-out ends the session it is sent with: send a spare token of the same user.
  "POST /api/auth/logout": async (ctx) => {
    const u = self(ctx);
    return u ? { credentials: { token: await ctx.w.mint(u) } } : {};
  },

  // --- identity --------------------------------------------------------------------------------
  [`GET ${B}/api-keys`]: async () => ({}),
  [`POST ${B}/api-keys/generate`]: async ({ w, p }) => {
    const held = p.grants.scopes ?? p.grants.permissions ?? [];
    const scope =
      held.includes("*") || held.some((s) => s.startsWith("users:")) ? "users:read" : (held[0] ?? "users:read");
    return { body: { name: w.name("generated"), scope: [scope] } };
  },
  [`POST ${B}/api-keys/revoke`]: async ({ w, fresh }) => ({
    body: { key_id: (fresh ? await w.apiKey({ label: "to-revoke" }) : await w.stableApiKey()).id, reason: "matrix" },
  }),
  [`POST ${B}/api-keys/update`]: async ({ w }) => ({
    body: { key_id: (await w.stableApiKey()).id, description: `changed ${w.next()}` },
  }),
  [`GET ${B}/tokens/settings`]: async () => ({}),
  [`POST ${B}/tokens/settings`]: async () => ({ body: { access_token_ttl_seconds: null } }),
  [`GET ${B}/users`]: async () => ({}),
  [`POST ${B}/users/create`]: async ({ w }) => {
    const name = w.name("created");
    return {
      body: { username: name, email: `${name}@example.com`, password: strongPassword(), role: await w.minimalRole() },
    };
  },
  [`POST ${B}/users/update`]: async (ctx) => ({
    body: {
      user_id: (ctx.fresh ? await ctx.w.target() : await standingUser(ctx)).id,
      full_name: `Renamed ${ctx.w.next()}`,
    },
  }),
  [`POST ${B}/users/delete`]: async (ctx) => ({
    body: {
      user_id: (ctx.fresh ? await ctx.w.user({ label: "to-delete" }) : await standingUser(ctx)).id,
      reason: "matrix",
    },
  }),
  [`GET ${B}/users/{user_id}`]: async (ctx) => ({
    params: { user_id: (ctx.fresh ? await ctx.w.target() : await standingUser(ctx)).id },
  }),
  [`POST ${B}/users/reset-password`]: async (ctx) => ({
    body: {
      user_id: (ctx.fresh ? await ctx.w.target() : await standingUser(ctx)).id,
      new_password: strongPassword(),
      force_change: false,
    },
  }),
  [`POST ${B}/users/lock`]: async (ctx) => ({
    body: {
      user_id: (ctx.fresh ? await ctx.w.user({ label: "to-lock" }) : await standingUser(ctx)).id,
      action: "lock",
      reason: "matrix",
      duration_minutes: 5,
    },
  }),
  // Ends every session of the caller: the principal's token is minted again afterwards.
  [`POST ${B}/users/change-password`]: async (ctx) => {
    const u = self(ctx);
    if (!u) return { body: { current_password: strongPassword(), new_password: strongPassword() } };
    const next = strongPassword();
    return {
      body: { current_password: u.password, new_password: next },
      after: async (res) => {
        if (res.status === 200) {
          u.password = next;
          await renewToken(ctx);
        }
      },
    };
  },
  [`POST ${B}/users/2fa/enroll`]: async (ctx) => {
    const u = self(ctx);
    // A factor in place answers 409: an administrator takes it off first.
    if (u?.twoFactor.state === "enabled") {
      await ctx.w.make("POST", `${B}/users/update`, { body: { user_id: u.id, two_factor_enabled: false } });
      u.twoFactor = { state: "none", backupCodes: [] };
    }
    return {
      body: { method: "app" },
      after: (res) => {
        if (u && res.status === 200) ctx.w.rememberEnrolment(u, res.body.secret);
      },
    };
  },
  [`POST ${B}/users/2fa/verify`]: async (ctx) => {
    const u = self(ctx);
    if (!u || !ctx.p.token) return { body: { code: "123456" } };
    if (u.twoFactor.state !== "pending") {
      if (u.twoFactor.state === "enabled") {
        await ctx.w.make("POST", `${B}/users/update`, { body: { user_id: u.id, two_factor_enabled: false } });
      }
      await ctx.w.enrol(u, ctx.p.token);
    }
    return {
      body: { code: ctx.w.totp(u) },
      after: (res) => {
        if (res.status === 200) u.twoFactor = { ...u.twoFactor, state: "enabled", backupCodes: res.body.backup_codes };
      },
    };
  },
  [`POST ${B}/users/2fa/disable`]: async (ctx) => {
    const u = self(ctx);
    if (!u || !ctx.p.token) return { body: { password: strongPassword() } };
    await ctx.w.enableTwoFactor(u, ctx.p.token);
    return {
      body: { password: u.password },
      after: (res) => {
        if (res.status === 200) u.twoFactor = { state: "none", backupCodes: [] };
      },
    };
  },
  [`GET ${B}/roles`]: async () => ({}),
  [`POST ${B}/roles`]: async ({ w }) => ({
    body: { name: `role-${w.tenantId.slice(-6)}-${w.next()}`.toLowerCase(), permissions: ["users:read"] },
  }),
  [`GET ${B}/authentication/settings`]: async () => ({}),
  [`POST ${B}/authentication/update`]: async () => ({ body: { account_protection: { captcha_threshold: 3 } } }),
  [`POST ${B}/authentication/profile`]: async () => ({ body: { profile: "default" } }),
  [`POST ${B}/authentication/test-password`]: async () => ({ body: { password: "Correct-Horse-Battery-9!" } }),

  // --- webhooks --------------------------------------------------------------------------------
  [`POST ${B}/tokens/webhook`]: async () => ({ body: { retry_count: 3 } }),
  [`POST ${B}/tokens/regenerate-secret`]: async () => ({ body: { invalidate_old: true, notify_webhooks: false } }),

  // --- audit -----------------------------------------------------------------------------------
  [`GET ${B}/audit/logs`]: async () => ({}),
  [`GET ${B}/audit/export`]: async () => ({ query: { format: "json" } }),
  [`GET ${B}/audit/stats`]: async () => ({}),
  [`POST ${B}/audit/clear`]: async () => ({ body: { older_than_days: 30, confirm: true } }),

  // --- fleet -----------------------------------------------------------------------------------
  [`GET ${B}/gateways`]: async () => ({}),
  [`POST ${B}/gateways`]: async ({ w }) => ({ body: { name: w.name("new-gw"), location: "Matrix lab" } }),
  [`GET ${B}/gateways/{gateway_id}`]: async ({ w }) => ({ params: { gateway_id: (await w.stableGateway()).id } }),
  [`DELETE ${B}/gateways/{gateway_id}`]: async ({ w, fresh }) => ({
    params: { gateway_id: (fresh ? await w.gateway("to-delete") : await w.stableGateway()).id },
  }),
  [`POST ${B}/gateways/resync`]: async () => ({}),
  [`POST ${B}/gateways/{gateway_id}/resync`]: async ({ w }) => ({
    params: { gateway_id: (await w.stableGateway()).id },
  }),
  [`GET ${B}/firewall/status`]: async () => ({}),
  [`GET ${B}/firewall/rules`]: async () => ({}),
  [`POST ${B}/firewall/rules/add`]: async ({ w }) => ({
    body: {
      name: w.name("added-rule"),
      chain: "INPUT",
      protocol: "TCP",
      port: String(40000 + w.next()),
      action: "ACCEPT",
    },
  }),
  [`POST ${B}/firewall/rules/remove`]: async ({ w, fresh }) => ({
    body: { rule_id: (fresh ? await w.rule() : await w.stableRule()).id },
  }),
  [`POST ${B}/firewall/rules/update`]: async ({ w }) => ({
    body: { rule_id: (await w.stableRule()).id, description: `changed ${w.next()}` },
  }),
  [`POST ${B}/firewall/whitelist/manage`]: async ({ w }) => ({ body: { action: "add", ip_address: w.address() } }),
  [`POST ${B}/firewall/blacklist/manage`]: async ({ w }) => ({ body: { action: "add", ip_address: w.address() } }),
  [`POST ${B}/firewall/ports/manage`]: async ({ w }) => ({
    body: { action: "block", port: 20000 + w.next(), protocol: "TCP" },
  }),
  [`POST ${B}/firewall/settings`]: async () => ({ body: { log_level: "info" } }),
  [`GET ${B}/firewall/logs`]: async () => ({}),
  [`GET ${B}/ssh/settings`]: async () => ({}),
  [`POST ${B}/ssh/update`]: async ({ w }) => ({ body: { session_timeout: 10 + (w.next() % 50) } }),
  [`POST ${B}/ssh/upload-key`]: async ({ w }) => {
    const { line } = newSshPublicKey(w.name("uploaded"));
    return multipart([
      { name: "file", value: line, filename: "id_ed25519.pub" },
      { name: "username", value: "ops02" },
    ]);
  },
  [`GET ${B}/ssh/sessions`]: async () => ({}),
  [`POST ${B}/ssh/terminate`]: async ({ w, ingest, fresh }) => ({
    body: {
      session_id: (fresh ? await w.sshSession(ingest) : await w.stableSshSession(ingest)).sessionId,
      reason: "matrix",
    },
  }),
  [`POST ${B}/ssh/remove-key`]: async ({ w, fresh }) => {
    const key = fresh ? await w.sshKey() : await w.stableSshKey();
    return { body: { fingerprint: key.fingerprint, username: key.username } };
  },

  // --- tenancy ---------------------------------------------------------------------------------
  // An SSH-only lock (nothing else in the world is refused while it lasts), lifted again at once.
  [`POST ${B}/lock`]: async ({ w, fresh }) => {
    const body = { reason: "matrix", lock_users: false, lock_api: false, lock_ssh: true, duration_minutes: 5 };
    if (!fresh) return { body };
    await w.unlock();
    await w.pin();
    return {
      body,
      after: async (res) => {
        if (res.status === 200) {
          w.locked = true;
          await w.unlock();
        }
      },
    };
  },
  [`POST ${B}/unlock`]: async ({ w, fresh }) => {
    if (fresh) await w.lock();
    return {
      body: { admin_pin: fresh ? await w.pin() : (w.pinValue ?? "246810") },
      after: (res) => {
        if (res.status === 200) w.locked = false;
      },
    };
  },
  [`POST ${B}/lock/pin`]: async ({ w, fresh }) => {
    const current = fresh ? await w.pin() : (w.pinValue ?? "246810");
    const pin = String(100000 + (w.next() % 900000));
    return {
      body: { pin, current_pin: current },
      after: (res) => {
        if (res.status === 200) w.pinValue = pin;
      },
    };
  },
  [`POST ${B}/settings/save-all`]: async () => ({ body: { audit: { retention_days: 365 } } }),

  // --- certificates ----------------------------------------------------------------------------
  // Renew, renewal progress and downloads stay generated: a renewal needs a gateway that reports
  // a certificate and a workflow runner, a download the generating user's own one-time token.
  [`GET ${B}/certificates/status`]: async ({ w }) => ({ query: { gateway_id: String((await w.stableGateway()).id) } }),
  [`POST ${B}/certificates/upload`]: async ({ w }) => {
    const cert = await certificateFor(w.name("upload"));
    return multipart([
      { name: "certificate", value: cert.pem, filename: "server.crt" },
      { name: "private_key", value: cert.keyPem, filename: "server.key" },
      { name: "type", value: "https" },
      { name: "gateway_id", value: String((await w.stableGateway()).id) },
    ]);
  },
  [`POST ${B}/certificates/generate-self-signed`]: async ({ w }) => ({
    body: { gateway_id: (await w.stableGateway()).id, common_name: "gw.local", algorithm: "EC", key_size: 256 },
  }),
  [`POST ${B}/certificates/settings`]: async ({ w }) => ({
    body: { gateway_id: (await w.stableGateway()).id, renewal_days_before_expiry: 10 + (w.next() % 50) },
  }),
  [`POST ${B}/certificates/validate`]: async ({ w }) => ({
    body: { gateway_id: (await w.stableGateway()).id, certificate_data: (await certificateFor("validate")).pem },
  }),
  [`GET ${B}/status`]: async () => ({}),

  // --- gateway scans (test/helpers/scan-world.ts) -----------------------------------------------
  // Starting a scan stays generated: it needs a workflow runner, which the matrices do not run
  // (POST /scan and the legacy scan starts answer 503 there once the permission let them through).
  [`GET ${B}/scan/results`]: async ({ w }) => ({
    query: { scan_id: await (await import("./scan-world.ts")).standingScan(w.tenantId) },
  }),
  [`GET ${B}/scan/progress/{scan_id}`]: async ({ w }) => ({
    params: { scan_id: await (await import("./scan-world.ts")).standingScan(w.tenantId) },
  }),
  [`POST ${B}/scan/{scan_id}/cancel`]: async ({ w, fresh }) => {
    const scans = await import("./scan-world.ts");
    return { params: { scan_id: fresh ? await scans.runningScan(w.tenantId) : await scans.standingScan(w.tenantId) } };
  },
  [`DELETE ${B}/scan/schedule`]: async ({ w, fresh }) => {
    if (fresh) await (await import("./scan-world.ts")).weeklyScanSchedule(w.tenantId);
    return {};
  },
  "GET /api/security": async () => ({}),

  // --- GRC (test/helpers/grc-world.ts: callers who are not administrators become members first) ---
  [`GET ${S}/enterprises/`]: member(async () => ({})),
  [`POST ${S}/enterprises/`]: async ({ w }) => ({ body: { name: w.name("enterprise") } }),
  [`GET ${S}/enterprises/{id}/`]: async (ctx) => ({ params: { id: await asMember(ctx) } }),
  [`PATCH ${S}/enterprises/{id}/`]: async (ctx) => ({
    params: { id: await asMember(ctx) },
    body: { description: `changed ${ctx.w.next()}` },
  }),
  [`GET ${S}/frameworks/`]: member(async () => ({})),
  [`GET ${S}/frameworks/by_name/`]: member(async () => ({ query: { name: "nist" } })),
  [`GET ${S}/frameworks/{id}/`]: member(async () => ({ params: { id: "iso-27001-2022" } })),
  [`GET ${S}/frameworks/{id}/requirements/`]: member(async () => ({ params: { id: "pci-dss-4.0" } })),
  [`GET ${S}/policies/`]: member(async () => ({})),
  [`POST ${S}/policies/`]: async ({ w, fresh }) => ({
    body: { enterprise: fresh ? await grc.newEnterprise(w) : await grc.enterpriseOf(w), password_min_length: 14 },
  }),
  [`GET ${S}/policies/{id}/`]: member(async (ctx) => ({ params: { id: await grc.stablePolicy(ctx.w) } })),
  [`PATCH ${S}/policies/{id}/`]: async ({ w }) => ({
    params: { id: await grc.stablePolicy(w) },
    body: { session_timeout_minutes: 15 + (w.next() % 60) },
  }),
  [`PUT ${S}/policies/{id}/`]: async ({ w }) => ({
    params: { id: await grc.stablePolicy(w) },
    body: { tls_minimum_version: "1.3" },
  }),
  [`DELETE ${S}/policies/{id}/`]: async ({ w, fresh }) => ({
    params: { id: fresh ? await grc.policy(w) : await grc.stablePolicy(w) },
  }),
  [`GET ${S}/policies/{id}/compliance_summary/`]: member(async (ctx) => ({
    params: { id: await grc.stablePolicy(ctx.w) },
  })),
  // A dry run: applying for real would change the matrix world's relaxed authentication policy.
  [`POST ${S}/policies/{id}/apply/`]: async ({ w }) => ({
    params: { id: await grc.stablePolicy(w) },
    body: { dry_run: true },
  }),
  [`GET ${S}/checklists/`]: member(async () => ({})),
  [`POST ${S}/checklists/`]: async (ctx) => ({ body: { enterprise: await asMember(ctx), system_type: "kubernetes" } }),
  [`GET ${S}/checklists/{id}/`]: member(async (ctx) => ({ params: { id: await grc.stableChecklist(ctx.w) } })),
  [`PATCH ${S}/checklists/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableChecklist(ctx.w) },
    body: { name: ctx.w.name("checklist") },
  })),
  [`PUT ${S}/checklists/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableChecklist(ctx.w) },
    body: { system_type: "linux", name: ctx.w.name("checklist") },
  })),
  [`DELETE ${S}/checklists/{id}/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.checklist(ctx.w) : await grc.stableChecklist(ctx.w) },
  })),
  [`POST ${S}/checklists/{id}/verify/`]: member(async (ctx) => ({
    params: { id: await grc.completeChecklist(ctx.w) },
  })),
  [`GET ${S}/controls/`]: member(async () => ({ query: { ordering: "-priority" } })),
  [`POST ${S}/controls/`]: async (ctx) => ({
    body: { enterprise: await asMember(ctx), framework: "nist", control_id: "PR.AA-01", priority: "critical" },
  }),
  [`GET ${S}/controls/{id}/`]: member(async (ctx) => ({ params: { id: await grc.stableControl(ctx.w) } })),
  [`PATCH ${S}/controls/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableControl(ctx.w) },
    body: { implementation_notes: `note ${ctx.w.next()}` },
  })),
  [`PUT ${S}/controls/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableControl(ctx.w) },
    body: { framework: "cis-controls-v8.1", control_id: "4.4", status: "implemented", priority: "high" },
  })),
  [`DELETE ${S}/controls/{id}/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.control(ctx.w) : await grc.stableControl(ctx.w) },
  })),
  [`GET ${S}/controls/by_framework/`]: member(async () => ({ query: { framework_id: "cis-controls-v8.1" } })),
  [`POST ${S}/controls/{id}/verify/`]: member(async (ctx) => ({ params: { id: await grc.stableControl(ctx.w) } })),
  [`GET ${S}/evidence/checks/`]: member(async () => ({})),
  [`GET ${S}/controls/{id}/evidence/`]: member(async (ctx) => ({ params: { id: await grc.stableControl(ctx.w) } })),
  // A new control each time: a control is bound to a check once.
  [`POST ${S}/controls/{id}/evidence/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.control(ctx.w) : await grc.stableControl(ctx.w) },
    body: { check: "audit_retention_365d" },
  })),
  [`GET ${S}/audits/`]: member(async () => ({ query: { ordering: "scheduled_date" } })),
  [`POST ${S}/audits/`]: async (ctx) => ({
    body: { enterprise: await asMember(ctx), audit_type: "internal", title: ctx.w.name("audit") },
  }),
  [`GET ${S}/audits/{id}/`]: member(async (ctx) => ({ params: { id: await grc.stableAudit(ctx.w) } })),
  [`PATCH ${S}/audits/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableAudit(ctx.w) },
    body: { scope: `scope ${ctx.w.next()}` },
  })),
  [`PUT ${S}/audits/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableAudit(ctx.w) },
    body: { title: ctx.w.name("audit"), audit_type: "external" },
  })),
  [`DELETE ${S}/audits/{id}/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.audit(ctx.w) : await grc.stableAudit(ctx.w) },
  })),
  [`GET ${S}/audits/upcoming/`]: member(async () => ({ query: { days: "30" } })),
  [`POST ${S}/audits/{id}/start/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.audit(ctx.w) : await grc.stableAudit(ctx.w) },
  })),
  [`POST ${S}/audits/{id}/complete/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.audit(ctx.w, true) : await grc.stableAudit(ctx.w) },
    body: { findings_count: 5, critical_findings: 1 },
  })),
  [`GET ${S}/incidents/`]: member(async () => ({})),
  [`POST ${S}/incidents/`]: async (ctx) => ({
    body: { enterprise: await asMember(ctx), title: ctx.w.name("incident"), severity: "medium" },
  }),
  [`GET ${S}/incidents/{id}/`]: member(async (ctx) => ({ params: { id: await grc.stableIncident(ctx.w) } })),
  [`PATCH ${S}/incidents/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableIncident(ctx.w) },
    body: { response_actions: `blocked ${ctx.w.next()}` },
  })),
  [`PUT ${S}/incidents/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableIncident(ctx.w) },
    body: { title: ctx.w.name("incident"), severity: "high" },
  })),
  [`DELETE ${S}/incidents/{id}/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.incident(ctx.w) : await grc.stableIncident(ctx.w) },
  })),
  [`POST ${S}/incidents/{id}/update_status/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.incident(ctx.w) : await grc.stableIncident(ctx.w) },
    body: { status: "investigating", note: "matrix" },
  })),
  [`GET ${S}/incidents/active/`]: member(async () => ({})),
  [`GET ${S}/incidents/by_severity/`]: member(async () => ({})),
  [`GET ${S}/compliance/`]: member(async () => ({ query: { ordering: "-deadline" } })),
  [`POST ${S}/compliance/`]: async (ctx) => ({
    body: { enterprise: await asMember(ctx), requirement_name: ctx.w.name("requirement"), framework: "soc2" },
  }),
  [`GET ${S}/compliance/{id}/`]: member(async (ctx) => ({ params: { id: await grc.stableComplianceItem(ctx.w) } })),
  [`PATCH ${S}/compliance/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableComplianceItem(ctx.w) },
    body: { status_percentage: ctx.w.next() % 99 },
  })),
  [`PUT ${S}/compliance/{id}/`]: member(async (ctx) => ({
    params: { id: await grc.stableComplianceItem(ctx.w) },
    body: { requirement_name: ctx.w.name("requirement") },
  })),
  [`DELETE ${S}/compliance/{id}/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.complianceItem(ctx.w) : await grc.stableComplianceItem(ctx.w) },
  })),
  [`GET ${S}/compliance/overdue/`]: member(async () => ({})),
  [`GET ${S}/compliance/by_framework/`]: member(async () => ({ query: { framework_id: "iso-27001-2022" } })),
  [`POST ${S}/compliance/{id}/mark_completed/`]: member(async (ctx) => ({
    params: { id: ctx.fresh ? await grc.complianceItem(ctx.w) : await grc.stableComplianceItem(ctx.w) },
  })),
  [`GET ${DS}/overview/`]: member(async () => ({})),
  [`GET ${DS}/compliance/`]: member(async (ctx) => ({ query: { enterprise_id: await asMember(ctx) } })),
  [`GET ${DS}/incidents/`]: member(async () => ({})),
  [`GET ${DS}/audits/`]: member(async () => ({ query: { days: "90" } })),
  // --- billing (securenet) ----------------------------------------------------------------------
  "GET /api/billing/plans": async () => ({}),
  // --- cloudsentinel scans, alerts and reports ------------------------------------------------------
  "GET /api/v1/scan/scans": async () => ({}),
  "POST /api/v1/scan/start": async () => {
    await scanRunner();
    return { body: DEMO_SCAN };
  },
  "GET /api/v1/scan/status/{scan_id}": async ({ w }) => ({ params: { scan_id: (await stableScan(w)).scanId } }),
  "GET /api/v1/scan/results/{scan_id}": async ({ w }) => ({ params: { scan_id: (await stableScan(w)).scanId } }),
  "GET /api/v1/scan/providers": async () => ({}),
  "GET /api/v1/alerts/": async () => ({}),
  "PATCH /api/v1/alerts/{alert_id}/status": async ({ w }) => ({
    params: { alert_id: (await stableScan(w)).alertId },
    body: { status: "acknowledged", notes: "triaged" },
  }),
  "PATCH /api/v1/alerts/bulk": async ({ w }) => ({
    body: { alert_ids: [(await stableScan(w)).alertId], updates: { status: "acknowledged" } },
  }),
  "GET /api/v1/alerts/stats": async () => ({}),
  "GET /api/v1/reports/dashboard": async () => ({}),
  "GET /api/v1/reports/security-score": async () => ({}),
  "GET /api/v1/reports/compliance": async () => ({ query: { framework: "cis" } }),
  "GET /api/v1/reports/export": async () => ({ query: { format: "json", report_type: "alerts" } }),
  "GET /api/billing/usage": async () => ({ query: { months: "3" } }),
  "GET /api/billing/current-plan": async () => ({}),
  "GET /api/billing/limits/check": async () => ({}),
  // The worlds' tenants are on enterprise (test/setup/env.ts): asking for it again changes nothing.
  "POST /api/billing/upgrade": async () => ({ body: { plan_id: "enterprise" } }),
  // A delivery signed with the suite's webhook secret, of a type Warden acknowledges and ignores.
  "POST /api/billing/webhook/stripe": async ({ w }) => {
    const payload = JSON.stringify({
      id: `evt_matrix_${w.name("evt")}`,
      object: "event",
      type: "balance.available",
      created: Math.floor(Date.now() / 1000),
      data: { object: { object: "balance" } },
    });
    const header = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: process.env.STRIPE_WEBHOOK_SECRET ?? "",
    });
    return { rawBody: payload, headers: { "stripe-signature": header } };
  },
  // POST /api/billing/checkout and /portal need Stripe (STRIPE_SECRET_KEY), which the matrices do
  // not configure: their requests are generated (409 "not configured" for those allowed);
  // test/integration/billing/billing-stripe.test.ts holds them to success against Stripe's fixtures.

  // --- metrics (securenet) ----------------------------------------------------------------------
  "GET /api/metrics/system": async () => ({}),
  "GET /api/metrics/organization": async () => ({}),
  "GET /api/metrics/security": async () => ({}),
  "GET /api/metrics/prometheus": async () => ({}),
  "GET /api/metrics/dashboard": async () => ({}),
  "GET /api/metrics/health": async () => ({}),
  "GET /api/metrics/usage/export": async () => ({ query: { format: "csv", months: "2" } }),

  // --- insights (securenet) ---------------------------------------------------------------------
  // Training starts a workflow (no runner in the matrices: generated, like certificate renewal) and
  // predict needs a trained model (written with a valid body, but marked generated: 404 for those
  // allowed); test/integration/insights/insights-models.test.ts holds both to success on the local runner.
  "GET /api/insights/models": async () => ({}),
  "POST /api/insights/models/{model_id}/predict": async () => ({
    params: { model_id: "model_000000000000" },
    body: { data: [{ cpu_usage: 85.5, memory_usage: 92.1 }] },
    generated: true,
  }),
  "POST /api/insights/models/upload-training-data": async ({ w }) =>
    multipart([
      {
        name: "file",
        value: `cpu_usage,memory_usage\n${Array.from({ length: 20 }, (_, i) => `${30 + ((w.next() + i) % 20)},${40 + i}`).join("\n")}\n`,
        filename: "training_data.csv",
      },
    ]),
  "POST /api/insights/summary": async () => ({
    body: { time_range: "24h", log_types: ["error", "warning", "security"] },
  }),
  "POST /api/insights/threat-analysis": async () => ({
    body: { analysis_type: "behavioral", time_range: "7d", include_predictions: true },
  }),
  "GET /api/insights/recommendations": async () => ({}),
  // --- legacy (securenet) -----------------------------------------------------------------------
  // Sign-ins only: the caller's trail also holds its own refused requests, which name what it sent.
  "GET /api/logs": async () => ({ query: { type: "audit", hours: "24", limit: "20", event_type: "login" } }),
  "GET /api/anomalies": async () => ({ query: { hours: "24" } }),
  "GET /api/network": async () => ({}),
  "GET /api/notifications": async () => ({}),
  // --- backups (gateway) ---------------------------------------------------------------------------
  [`GET ${B}/backup`]: async () => ({ query: { components: "roles,settings" } }),
  [`GET ${B}/backup/download/{id}`]: async ({ w }) => ({ params: { id: await backupOf(w) } }),
  [`POST ${B}/restore`]: async ({ w }) => backupUpload(w),
  [`GET ${B}/restore/report/{id}`]: async ({ w }) => ({ params: { id: await restoredBackupOf(w) } }),
  // A reset puts a whole tenant back to defaults (policy, firewall, SSH): one that is to succeed
  // runs in an organization of its own, so the world's fixtures (its relaxed policy, its rules and
  // keys) stay as the other requests need them.
  [`POST ${B}/reset`]: async ({ fresh }) => {
    const body = { confirm: true, backup_before_reset: false, reason: "matrix" };
    if (!fresh) return { body };
    const { World } = await import("./world.ts");
    const own = await World.create("reset", { makers: 0 });
    return { body, credentials: { token: own.admin.token } };
  },
};

/** A small backup of the world (its settings only), made once by its administrator. */
const backups = new WeakMap<World, Promise<string>>();
function backupOf(w: World): Promise<string> {
  let got = backups.get(w);
  if (!got) {
    got = w.make("GET", `${B}/backup`, { query: { components: "settings" } }).then((res) => {
      if (res.status !== 200) throw new Error(`backup fixture: ${res.status} ${res.text.slice(0, 300)}`);
      return res.body.backup_id as string;
    });
    backups.set(w, got);
  }
  return got;
}

/** A restore upload of the world's settings: an unencrypted archive made here for its tenant. */
async function backupUpload(w: World): Promise<Draft> {
  const { packArchive } = await import("#shared/backups/archive.ts");
  const { createHash, randomUUID } = await import("node:crypto");
  const settings = Buffer.from(
    JSON.stringify({ audit: { retention_days: 90 }, tokens: { access_token_ttl_seconds: null } }),
  );
  const manifest = {
    format: "warden-backup",
    version: 1,
    backup_id: "backup-20250315-00c0de",
    tenant_id: w.tenantId,
    created: new Date().toISOString(),
    created_by: "matrix",
    components: ["settings"],
    files: [
      { name: "settings.json", size: settings.length, sha256: createHash("sha256").update(settings).digest("hex") },
    ],
  };
  const file = await packArchive(
    [
      { name: "manifest.json", body: Buffer.from(JSON.stringify(manifest)) },
      { name: "settings.json", body: settings },
    ],
    new Date(),
  );
  const boundary = `----matrix${randomUUID().replace(/-/g, "")}`;
  const rawBody = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="backup.tar.gz"\r\n` +
        "Content-Type: application/gzip\r\n\r\n",
    ),
    file,
    Buffer.from(
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="components"\r\n\r\nsettings\r\n--${boundary}--\r\n`,
    ),
  ]);
  return { rawBody, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

/** The id of a backup the world's administrator restored (so it has a validation report). */
const restored = new WeakMap<World, Promise<string>>();
function restoredBackupOf(w: World): Promise<string> {
  let got = restored.get(w);
  if (!got) {
    got = backupUpload(w).then(async (draft) => {
      const res = await w.make("POST", `${B}/restore`, {
        rawBody: draft.rawBody,
        headers: draft.headers,
      });
      if (res.status !== 200) throw new Error(`restore fixture: ${res.status} ${res.text.slice(0, 300)}`);
      return res.body.backup_id as string;
    });
    restored.set(w, got);
  }
  return got;
}

/** The route keys that have a written request (the rest are generated). */
export const writtenRequests = (): Set<string> => new Set(Object.keys(REQUESTS));

/** A standing object of the world, for a field that names one (generated requests, BOLA). */
export async function objectOf(kind: ObjectKind, ctx: Pick<RequestContext, "w" | "ingest">): Promise<unknown> {
  switch (kind) {
    case "user":
      return (await ctx.w.target()).id;
    case "gateway":
      return (await ctx.w.stableGateway()).id;
    case "apiKey":
      return (await ctx.w.stableApiKey()).id;
    case "firewallRule":
      return (await ctx.w.stableRule()).id;
    case "sshSession":
      return (await ctx.w.stableSshSession(ctx.ingest)).sessionId;
    case "sshKey":
      return (await ctx.w.stableSshKey()).fingerprint;
    case "role":
      return ctx.w.minimalRole();
    case "loginName":
      return (await ctx.w.target()).username;
    // A field not given by the route's own request names the world's completed cloud scan; the
    // gateway-scan routes' requests name the world's gateway scan themselves.
    case "scan":
      return (await stableScan(ctx.w)).scanId;
    case "alert":
      return (await stableScan(ctx.w)).alertId;
  }
}

async function generated(route: CatalogueRoute, ctx: RequestContext): Promise<Draft> {
  const overrides: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of route.objectFields) overrides[f.field] = fc.constant(await objectOf(f.kind, ctx));
  const sample = (s: Schema | undefined, mode: "json" | "query") =>
    s ? fc.sample(validArbitrary(s, mode, "", overrides), { seed: 1, numRuns: 1 })[0] : undefined;
  const params = sample(route.schemas.path, "query") as Record<string, string> | undefined;
  const query = sample(route.schemas.query, "query") as Record<string, string> | undefined;
  const body = sample(route.schemas.body, "json");
  return { params, query, body, generated: true };
}

/** The request that succeeds for an administrator of `ctx.w`, on `route`. */
export async function adminRequest(route: CatalogueRoute, ctx: RequestContext): Promise<RouteRequest> {
  const build = REQUESTS[route.key];
  const draft = build ? await build(ctx) : await generated(route, ctx);
  const { params, ...rest } = draft;
  return { ...rest, path: concretePath(route.row, params ?? {}) };
}
