/**
 * Tenants set up for the security matrices ("worlds"): an organization, its admin, and the
 * objects a request can name — users, custom roles, API keys, a gateway, firewall rules and list
 * entries, SSH keys and sessions, the unlock PIN — made on demand through the API.
 *
 * Objects are made with the world's own admin API keys (its "makers"): each key has its own
 * per-minute rate window, so making fixtures never spends the tenant's budget that the matrix
 * requests are counted against. A matrix that needs more requests than one tenant's budget
 * spreads its principals over several worlds.
 *
 * Import this after the local IoT Core is up (`usePlatformWithLocalIot`): gateways need it.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { issueAccessToken } from "#shared/auth/tokens.ts";
import { hasSequence } from "#shared/identity/password-rules.ts";
import { base32Decode, totp } from "#shared/identity/totp.ts";
import { type CallOptions, type CallResult, call, multipart } from "./api.ts";
import type { Grants } from "./route-catalogue.ts";

export { multipart };

/** A password every default policy accepts (the random suffix keeps it from being reused or common). */
export function strongPassword(): string {
  for (;;) {
    // The fixed "9" keeps a digit in it when the random hex has none (require_numbers; 1 in ~2,600).
    const candidate = `Sturdy#Harbor9-${randomBytes(4).toString("hex")}`;
    // Random hex now and then holds a run such as "abcd" or "3210", which prevent_sequential refuses.
    if (!hasSequence(candidate)) return candidate;
  }
}

let ipSeq = 0;
const ipBase = Math.floor(Math.random() * 2 ** 22);
/**
 * A source address no other test file uses (100.64.0.0/10, random per process): per-address rate
 * windows and brute-force counters of one request never meet another's.
 */
export function uniqueIp(): string {
  ipSeq += 1;
  const x = (ipBase + ipSeq) % 2 ** 22;
  return `100.${64 + ((x >> 16) & 63)}.${(x >> 8) & 255}.${x & 255}`;
}

/** The policy worlds start with: admins may sign in without 2FA, no lockout or history gets in a matrix's way. */
export const MATRIX_POLICY = {
  two_factor: { enforced_for_roles: [] },
  session_settings: { max_concurrent_sessions: 50 },
  password_policy: { history_size: 0 },
  account_protection: { lockout_attempts: 100 },
};

export interface WorldUser {
  id: number;
  username: string;
  email: string;
  password: string;
  role: string;
  permissions: string[];
  /** TOTP secret once enrolment started, and what the enrolment reached. */
  twoFactor: { state: "none" | "pending" | "enabled"; secret?: Buffer; backupCodes: string[] };
}

/** Fails loudly when a fixture could not be made: the matrix would otherwise test the wrong thing. */
export function expectStatus(res: CallResult, wanted: number[], what: string): CallResult {
  if (!wanted.includes(res.status)) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 400)}`);
  return res;
}

const BASE = "/cloud-integration/security";

/** An ed25519 public key as an authorized_keys line, and its fingerprint as ssh-keygen -lf prints it. */
export function newSshPublicKey(comment = "ops@matrix"): { line: string; fingerprint: string } {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]);
  const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { line: `ssh-ed25519 ${blob.toString("base64")} ${comment}`, fingerprint };
}

/** Something that calls: a token holder, an API key holder, or nobody. */
export interface Principal {
  name: string;
  world: World;
  kind: "token" | "apiKey" | "none";
  /** What the permission check sees. */
  grants: Grants;
  /** The signed-in user (token), or the key's owner (API key). */
  user?: WorldUser;
  token?: string;
  apiKey?: string;
}

export const credentialsOf = (p: Principal): Pick<CallOptions, "token" | "apiKey"> =>
  p.kind === "token" ? { token: p.token } : p.kind === "apiKey" ? { apiKey: p.apiKey } : {};

type Ingest = (event: Record<string, unknown>) => Promise<unknown>;

export class World {
  private seq = 0;
  private makerIndex = 0;
  private cache = new Map<string, Promise<unknown>>();
  /** The PIN that unlocks this tenant, once one is set. */
  pinValue: string | undefined;
  /** Whether this world's tenant is under an emergency lock made by `lock()`. */
  locked = false;

  private constructor(
    readonly tenantId: string,
    readonly organization: string,
    readonly admin: WorldUser & { token: string },
    private readonly makers: string[],
  ) {}

  /**
   * A new organization: its admin signs up, relaxes the policy for matrix work (no forced 2FA for
   * admins, room for sessions, no lockout in the way) and makes admin API keys for fixtures (three
   * unless told: each adds 100 requests a minute of fixture work).
   */
  static async create(label: string, opts: { policy?: Record<string, unknown>; makers?: number } = {}): Promise<World> {
    const policy = opts.policy ?? MATRIX_POLICY;
    const suffix = randomUUID().slice(0, 8);
    const organization = `${label}-${suffix}`;
    const password = strongPassword();
    const username = `admin-${suffix}`;
    const signup = expectStatus(
      await call("POST", "/api/auth/signup", {
        body: { organization, username, email: `${username}@example.com`, password },
        ip: uniqueIp(),
      }),
      [201],
      "signup",
    );
    const data = signup.body.data;
    const token = data.token as string;
    const tenantId = data.organization.id as string;
    expectStatus(
      await call("POST", `${BASE}/authentication/update`, { token, body: policy }),
      [200],
      "policy for matrix work",
    );
    const makers: string[] = [];
    for (let i = 0; i < (opts.makers ?? 3); i++) {
      const key = expectStatus(
        await call("POST", `${BASE}/api-keys/generate`, { token, body: { name: `maker-${i}`, scope: ["*"] } }),
        [201],
        "maker API key",
      );
      makers.push(key.body.api_key.full_key as string);
    }
    const admin = {
      id: data.user.id as number,
      username,
      email: `${username}@example.com`,
      password,
      role: "admin",
      permissions: ["*"],
      twoFactor: { state: "none" as const, backupCodes: [] },
      token,
    };
    return new World(tenantId, organization, admin, makers);
  }

  /** A number unique within this world, for names and addresses. */
  next(): number {
    this.seq += 1;
    return this.seq;
  }

  /** A name unique across the test run that says which world made it. */
  name(kind: string): string {
    return `${kind}-${this.tenantId.slice(-8)}-${this.next()}`;
  }

  /** Calls as the world's administrator, through its maker keys in turn (their own rate windows). */
  make(method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
    const key = this.makers[this.makerIndex++ % this.makers.length];
    return call(method, path, { ...opts, apiKey: key, ip: opts.ip ?? uniqueIp() });
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let got = this.cache.get(key) as Promise<T> | undefined;
    if (!got) {
      got = make();
      this.cache.set(key, got);
    }
    return got;
  }

  // --- users and roles ------------------------------------------------------------------------

  /** A custom role (made once per name). */
  role(name: string, permissions: string[]): Promise<string> {
    return this.once(`role:${name}`, async () => {
      expectStatus(await this.make("POST", `${BASE}/roles`, { body: { name, permissions } }), [201], `role ${name}`);
      return name;
    });
  }

  /** "minimal": a custom role holding only users:read, which every users:write caller here may hand out. */
  minimalRole(): Promise<string> {
    return this.role("minimal", ["users:read"]);
  }

  /** A new user; by default of the "minimal" role, so any caller with users:write may manage them. */
  async user(opts: { role?: string; permissions?: string[]; label?: string } = {}): Promise<WorldUser> {
    const role = opts.role ?? (await this.minimalRole());
    const username = this.name(opts.label ?? "user");
    const password = strongPassword();
    const res = expectStatus(
      await this.make("POST", `${BASE}/users/create`, {
        body: {
          username,
          email: `${username}@example.com`,
          password,
          role,
          ...(opts.permissions ? { permissions: opts.permissions } : {}),
        },
      }),
      [201],
      `user of role ${role}`,
    );
    return {
      id: res.body.user_id as number,
      username,
      email: `${username}@example.com`,
      password,
      role,
      permissions: res.body.user.permissions as string[],
      twoFactor: { state: "none", backupCodes: [] },
    };
  }

  /** A user that requests may target and change freely (made once). */
  target(): Promise<WorldUser> {
    return this.once("target", () => this.user({ label: "target" }));
  }

  /** A user who signs in with a password only (made once). */
  loginUser(): Promise<WorldUser> {
    return this.once("login-user", () => this.user({ label: "signin" }));
  }

  /** Signs a user in through the token route (a real session). */
  async login(u: WorldUser): Promise<string> {
    const res = expectStatus(
      await call("POST", "/api/v1/auth/token", {
        body: { username: u.username, password: u.password },
        ip: uniqueIp(),
      }),
      [200],
      `sign-in of ${u.username}`,
    );
    if (!res.body.access_token) throw new Error(`sign-in of ${u.username} answered a challenge: ${res.text}`);
    return res.body.access_token as string;
  }

  /** A token for a user without a sign-in (no session, as `issueAccessToken` allows): cheap, and no password needed. */
  async mint(u: Pick<WorldUser, "id" | "role">): Promise<string> {
    return (await issueAccessToken({ userId: u.id, tenantId: this.tenantId, role: u.role })).token;
  }

  /** Starts app enrolment with the user's own token; keeps the secret. */
  async enrol(u: WorldUser, token: string): Promise<void> {
    const res = expectStatus(
      await call("POST", `${BASE}/users/2fa/enroll`, { token, body: { method: "app" } }),
      [200],
      `2FA enrolment of ${u.username}`,
    );
    this.rememberEnrolment(u, res.body.secret as string);
  }

  /** Keeps the secret an enrolment answered with (base32, as the route shows it). */
  rememberEnrolment(u: WorldUser, secret: string): void {
    u.twoFactor = { state: "pending", secret: base32Decode(secret), backupCodes: [] };
  }

  /** The current TOTP code of a user's (pending or enabled) app factor. */
  totp(u: WorldUser, offsetSteps = 0): string {
    if (!u.twoFactor.secret) throw new Error(`${u.username} has no TOTP secret`);
    return totp(u.twoFactor.secret, Date.now() + offsetSteps * 30_000);
  }

  /** Completes app enrolment (starting it when needed); keeps the backup codes. */
  async enableTwoFactor(u: WorldUser, token: string): Promise<void> {
    if (u.twoFactor.state === "enabled") return;
    if (u.twoFactor.state === "none") await this.enrol(u, token);
    const res = expectStatus(
      await call("POST", `${BASE}/users/2fa/verify`, { token, body: { code: this.totp(u) } }),
      [200],
      `2FA verification of ${u.username}`,
    );
    u.twoFactor = { ...u.twoFactor, state: "enabled", backupCodes: res.body.backup_codes as string[] };
  }

  /** A user with an app factor and backup codes (made once; replaced when its codes run out). */
  async twoFactorUser(): Promise<WorldUser> {
    let u = await this.once("2fa-user", () => this.newTwoFactorUser());
    if (u.twoFactor.backupCodes.length === 0) {
      this.cache.delete("2fa-user");
      u = await this.once("2fa-user", () => this.newTwoFactorUser());
    }
    return u;
  }

  private async newTwoFactorUser(): Promise<WorldUser> {
    const u = await this.user({ label: "twofactor" });
    await this.enableTwoFactor(u, await this.mint(u));
    return u;
  }

  /** A sign-in challenge of the 2FA user, and a backup code that answers it. */
  async challenge(): Promise<{ user: WorldUser; challengeToken: string; code: string }> {
    const user = await this.twoFactorUser();
    const res = expectStatus(
      await call("POST", "/api/auth/login", {
        body: { username: user.username, password: user.password },
        ip: uniqueIp(),
      }),
      [200],
      "2FA sign-in, first step",
    );
    const code = user.twoFactor.backupCodes.shift();
    if (!res.body.data?.challenge_token || !code) throw new Error(`no challenge: ${res.text}`);
    return { user, challengeToken: res.body.data.challenge_token as string, code };
  }

  // --- API keys --------------------------------------------------------------------------------

  /** A new API key of the admin (or of `owner`). */
  async apiKey(
    opts: { scope?: string[]; owner?: number; label?: string } = {},
  ): Promise<{ id: number; key: string; name: string }> {
    const name = this.name(opts.label ?? "key");
    const res = expectStatus(
      await this.make("POST", `${BASE}/api-keys/generate`, {
        body: { name, scope: opts.scope ?? ["users:read"], ...(opts.owner ? { user_id: opts.owner } : {}) },
      }),
      [201],
      "API key",
    );
    return { id: res.body.api_key.id as number, key: res.body.api_key.full_key as string, name };
  }

  /** An API key requests may change (made once). */
  stableApiKey(): Promise<{ id: number; key: string; name: string }> {
    return this.once("api-key", () => this.apiKey({ label: "stable-key" }));
  }

  // --- fleet -----------------------------------------------------------------------------------

  async gateway(label = "gw"): Promise<{ id: number; thing: string; name: string }> {
    const name = this.name(label);
    const res = expectStatus(await this.make("POST", `${BASE}/gateways`, { body: { name } }), [201], "gateway");
    return { id: res.body.gateway.id as number, thing: res.body.gateway.thing_name as string, name };
  }

  stableGateway(): Promise<{ id: number; thing: string; name: string }> {
    return this.once("gateway", () => this.gateway("stable-gw"));
  }

  /** A tenant-wide firewall rule (or one gateway's override) that accepts a port nobody else uses. */
  async rule(gatewayId?: number): Promise<{ id: number; name: string }> {
    const name = this.name("rule");
    const res = expectStatus(
      await this.make("POST", `${BASE}/firewall/rules/add`, {
        body: {
          name,
          chain: "INPUT",
          protocol: "TCP",
          port: String(30000 + this.next()),
          action: "ACCEPT",
          ...(gatewayId ? { gateway_id: gatewayId } : {}),
        },
      }),
      [201],
      "firewall rule",
    );
    return { id: res.body.rule_id as number, name };
  }

  stableRule(): Promise<{ id: number; name: string }> {
    return this.once("rule", () => this.rule());
  }

  /** An address nobody else lists (documentation range, IPv6, unique per world and call). */
  address(): string {
    return `2001:db8:${(this.next() % 65535).toString(16)}:${randomBytes(2).toString("hex")}::1`;
  }

  /** An uploaded SSH public key (tenant-wide, or on one gateway). */
  async sshKey(gatewayId?: number): Promise<{ fingerprint: string; username: string; comment: string }> {
    const comment = this.name("sshkey");
    const { line, fingerprint } = newSshPublicKey(comment);
    const username = "ops01";
    const form = multipart([
      { name: "file", value: line, filename: "id_ed25519.pub" },
      { name: "username", value: username },
      ...(gatewayId ? [{ name: "gateway_id", value: String(gatewayId) }] : []),
    ]);
    expectStatus(await this.make("POST", `${BASE}/ssh/upload-key`, form), [200, 201], "SSH key upload");
    return { fingerprint, username, comment };
  }

  /** An open SSH session reported by the world's gateway, as the edge reports one. */
  async sshSession(ingest: Ingest): Promise<{ sessionId: string; gatewayId: number }> {
    const gw = await this.stableGateway();
    const sid = String(4000 + this.next());
    const now = Date.now();
    const out = (await ingest({
      type: "ssh_session",
      timestamp: new Date(now).toISOString(),
      event: "started",
      session_id: sid,
      username: "ops01",
      client_ip: "192.0.2.10",
      client_port: 51000,
      started: new Date(now - 5 * 60_000).toISOString(),
      tty: "pts/0",
      process_id: 1234,
      auth_method: "publickey",
      tenant: this.tenantId,
      thing: gw.thing,
    })) as { stored?: boolean };
    if (!out.stored) throw new Error(`SSH session not stored: ${JSON.stringify(out)}`);
    return { sessionId: `gw${gw.id}-${sid}`, gatewayId: gw.id };
  }

  stableSshKey(): Promise<{ fingerprint: string; username: string; comment: string }> {
    return this.once("ssh-key", () => this.sshKey());
  }

  stableSshSession(ingest: Ingest): Promise<{ sessionId: string; gatewayId: number }> {
    return this.once("ssh-session", () => this.sshSession(ingest));
  }

  // --- the emergency lock ----------------------------------------------------------------------

  /** Sets the unlock PIN once; answers the PIN in force. */
  async pin(): Promise<string> {
    if (this.pinValue) return this.pinValue;
    const pin = String(100000 + (this.next() % 900000));
    expectStatus(await this.make("POST", `${BASE}/lock/pin`, { body: { pin } }), [200], "unlock PIN");
    this.pinValue = pin;
    return pin;
  }

  /**
   * Locks SSH only: nothing a matrix request needs is refused (users and API keys keep working),
   * but there is a lock to unlock.
   */
  async lock(): Promise<void> {
    if (this.locked) return;
    await this.pin();
    expectStatus(
      await this.make("POST", `${BASE}/lock`, {
        body: { reason: "matrix fixture", lock_users: false, lock_api: false, lock_ssh: true, duration_minutes: 5 },
      }),
      [200],
      "SSH-only lock",
    );
    this.locked = true;
  }

  async unlock(): Promise<void> {
    if (!this.locked) return;
    const res = await this.make("POST", `${BASE}/unlock`, { body: { admin_pin: await this.pin() } });
    expectStatus(res, [200, 409], "unlock");
    this.locked = false;
  }
}
