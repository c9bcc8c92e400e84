/**
 * Gateway "Security Audit Log": logs with filters, pages and stats; exports (CSV with real
 * quoting, JSON, a real PDF); statistics and alerts derived from the trail; the clear that
 * archives, deletes and keeps the hash chain verifiable; and tampering that the chain reveals.
 */
import { gunzipSync, inflateSync } from "node:zlib";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type AuditEntry,
  appendAudit,
  auditRecordKey,
  linkAuditChain,
  readAudit,
  readAuditArchive,
  verifyAuditChain,
} from "#shared/audit/db/trail.ts";
import { issueAccessToken } from "#shared/auth/tokens.ts";
import { db, dbCalls, resetDbCalls, tableName } from "#shared/table/client.ts";
import { call, newTenant, viewerToken as viewer } from "#test/helpers/api.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;
const BASE = "/cloud-integration/security/audit";
const DAY = 86_400_000;

let acme: Tenant;
let globex: Tenant;
let viewerToken: string;

/** The spec example's five records, as the other areas write them. */
const SPEC_RECORDS: AuditEntry[] = [
  {
    event: "SSH Session Started",
    eventType: "ssh_session_started",
    resource: "ssh",
    status: "success",
    user: "ops01",
    ip: "10.0.0.15",
    details: { session_id: "ssh-002", client_version: "OpenSSH_8.9p1" },
  },
  {
    event: "Firewall Rule Added",
    eventType: "firewall_rule_added",
    resource: "/api/firewall/rules",
    status: "success",
    user: "admin",
    ip: "192.168.1.100",
    details: { rule_id: 16, rule_name: "Allow NTP", parameters: { port: 123, protocol: "UDP" } },
  },
  {
    event: "User Modified",
    eventType: "user_modified",
    resource: "/api/users/ops01",
    status: "success",
    user: "admin",
    ip: "192.168.1.100",
    details: { method: "PUT", parameters: { role: "engineer" }, changes: { role: "operator -> engineer" } },
  },
  {
    event: "Failed Login",
    eventType: "login_failed",
    resource: "/api/auth/login",
    status: "failed",
    severity: "warning",
    user: "unknown",
    ip: "203.0.113.5",
    userAgent: "curl/7.68.0",
    details: { method: "POST", parameters: { username: "admin" }, attempt_count: 5, lockout_triggered: true },
  },
  {
    event: "Login",
    eventType: "login",
    resource: "/api/auth/login",
    status: "success",
    user: "admin",
    ip: "192.168.1.100",
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
    details: { method: "POST", parameters: {}, session_id: "session_abc123" },
  },
];

/** Runs `fn` with the clock (Date only; timers stay real) set to `at`. */
async function at<T>(when: Date, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(when);
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

/** RFC 4180, enough for the export: quoted fields, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  return rows;
}

/** The text a PDF's content streams draw: inflate each stream, decode its hex and literal strings. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString("latin1");
  let text = "";
  const streams = /stream\r?\n([\s\S]*?)\r?\nendstream/g;
  for (let m = streams.exec(raw); m; m = streams.exec(raw)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1] ?? "", "latin1")).toString("latin1");
    } catch {
      content = m[1] ?? "";
    }
    for (const s of content.matchAll(/<([0-9a-fA-F]+)>|\(((?:\\.|[^\\)])*)\)/g)) {
      text += s[1] ? Buffer.from(s[1], "hex").toString("latin1") : (s[2] ?? "");
    }
    text += "\n";
  }
  return text;
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([newTenant("audit-acme"), newTenant("audit-globex")]);
  viewerToken = await viewer(acme);
  await appendAudit(acme.tenantId, SPEC_RECORDS);
});

describe("GET /cloud-integration/security/audit/logs", () => {
  it("answers the spec example with every field, newest first, with counts, pages and stats", async () => {
    const t = await newTenant("audit-logs");
    await appendAudit(t.tenantId, SPEC_RECORDS);
    const res = await call("GET", `${BASE}/logs`, { token: t.token, query: { limit: "5" } });
    expect(res.status).toBe(200);
    // 5 spec records + the signup's tenant_created.
    expect(res.body).toMatchObject({ total: 6, filtered: 5, pagination: { page: 1, limit: 5, pages: 2 } });
    const [first] = res.body.logs;
    expect(first).toEqual({
      id: expect.stringMatching(/^audit-[0-9A-HJKMNP-TV-Z]{26}$/),
      timestamp: expect.any(String),
      user: "admin",
      api_key_id: null,
      event: "Login",
      event_type: "login",
      resource: "/api/auth/login",
      ip_address: "192.168.1.100",
      user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
      status: "success",
      details: { method: "POST", parameters: {}, session_id: "session_abc123" },
      severity: "info",
    });
    expect(res.body.logs.map((l: { event: string }) => l.event)).toEqual([
      "Login",
      "Failed Login",
      "User Modified",
      "Firewall Rule Added",
      "SSH Session Started",
    ]);
    expect(res.body.logs[1]).toMatchObject({ status: "failed", severity: "warning", user: "unknown" });
    expect(res.body.stats).toEqual({
      successful_events: 5,
      failed_events: 1,
      // admin, ops01, unknown, and the signed-up admin of the tenant_created record.
      unique_users: 4,
      unique_ips: 4,
      event_types: {
        login: 1,
        login_failed: 1,
        user_modified: 1,
        firewall_rule_added: 1,
        ssh_session_started: 1,
        tenant_created: 1,
      },
    });
    const page2 = await call("GET", `${BASE}/logs`, { token: t.token, query: { limit: "5", page: "2" } });
    expect(page2.body).toMatchObject({ filtered: 1, pagination: { page: 2, limit: 5, pages: 2 } });
    expect(page2.body.logs[0].event_type).toBe("tenant_created");
  });

  it("filters by event_type, username, ip_address, status, resource and hours", async () => {
    const q = async (query: Record<string, string>) =>
      (await call("GET", `${BASE}/logs`, { token: acme.token, query })).body.logs.map(
        (l: { event: string }) => l.event,
      );
    expect(await q({ event_type: "login_failed" })).toEqual(["Failed Login"]);
    expect(await q({ username: "ops01" })).toEqual(["SSH Session Started"]);
    expect(await q({ ip_address: "203.0.113.5" })).toEqual(["Failed Login"]);
    expect(await q({ status: "failed" })).toEqual(["Failed Login"]);
    expect(await q({ resource: "/api/firewall/rules" })).toEqual(["Firewall Rule Added"]);
    expect(await q({ username: "ADMIN", status: "success", resource: "/api/auth/login" })).toEqual(["Login"]);

    const t = await newTenant("audit-hours");
    await at(new Date(Date.now() - 30 * 3_600_000), () =>
      appendAudit(t.tenantId, [
        { event: "Old Event", eventType: "old_event", resource: "x", status: "success", user: "admin" },
      ]),
    );
    const recent = await call("GET", `${BASE}/logs`, { token: t.token });
    expect(recent.body.logs.some((l: { event: string }) => l.event === "Old Event")).toBe(false);
    const wide = await call("GET", `${BASE}/logs`, { token: t.token, query: { hours: "48" } });
    expect(wide.body.logs.some((l: { event: string }) => l.event === "Old Event")).toBe(true);
  });

  it("refuses bad input naming the field", async () => {
    await expectFieldErrors(`${BASE}/logs`, [
      [{ hours: "721" }, "query.hours"],
      [{ hours: "0" }, "query.hours"],
      [{ limit: "1001" }, "query.limit"],
      [{ page: "0" }, "query.page"],
      [{ status: "maybe" }, "query.status"],
      [{ tenant: "globex" }, "query.tenant"],
    ]);
  });

  it("answers 401 without a token, 403 for a viewer, and shows only the caller's tenant", async () => {
    expect((await call("GET", `${BASE}/logs`)).status).toBe(401);
    const denied = await call("GET", `${BASE}/logs`, { token: viewerToken });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("audit:read");
    const theirs = await call("GET", `${BASE}/logs`, { token: globex.token, query: { hours: "720" } });
    expect(theirs.body.logs.some((l: { event: string }) => l.event === "Firewall Rule Added")).toBe(false);
  });

  it("reads only the day partitions in range: a handful of DynamoDB calls, never a Scan", async () => {
    resetDbCalls();
    const res = await call("GET", `${BASE}/logs`, { token: acme.token });
    expect(res.status).toBe(200);
    const calls = dbCalls();
    console.info("GET /audit/logs DynamoDB calls", calls);
    // Auth BatchGet + rate-limit UpdateItem + one Query per UTC day the 24 hours touch (2).
    expect(calls.total).toBeLessThanOrEqual(4);
    expect(calls.byCommand.ScanCommand).toBeUndefined();
  });
});

describe("GET /cloud-integration/security/audit/export", () => {
  it("exports CSV with the spec header, an attachment filename, and RFC 4180 quoting", async () => {
    const t = await newTenant("audit-csv");
    await appendAudit(t.tenantId, [
      {
        event: "Login",
        eventType: "login",
        resource: "/api/auth/login",
        status: "success",
        user: "admin",
        ip: "192.168.1.100",
        details: { note: 'Successful login, from "workstation"\nsecond line' },
      },
      { event: "Formula", eventType: "x", resource: '=HYPERLINK("http://evil")', status: "failed", user: "admin" },
    ]);
    const res = await call("GET", `${BASE}/export`, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.headers["Content-Type"]).toBe("text/csv; charset=utf-8");
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, "");
    expect(res.headers["Content-Disposition"]).toBe(`attachment; filename="audit_log_${today}.csv"`);
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual(["timestamp", "user", "event", "resource", "ip_address", "status", "details"]);
    expect(res.text.split("\r\n")[0]).toBe("timestamp,user,event,resource,ip_address,status,details");
    const login = rows.find((r) => r[2] === "Login");
    expect(login?.slice(1, 6)).toEqual(["admin", "Login", "/api/auth/login", "192.168.1.100", "success"]);
    expect(JSON.parse(login?.[6] ?? "{}")).toEqual({ note: 'Successful login, from "workstation"\nsecond line' });
    expect(res.text).toContain('\\""workstation\\""');
    // A value a spreadsheet would execute is neutralised.
    expect(rows.find((r) => r[2] === "Formula")?.[3]).toBe('\'=HYPERLINK("http://evil")');
    expect(rows).toHaveLength(1 + 3);
  });

  it("exports JSON and filters by event_type and username", async () => {
    const res = await call("GET", `${BASE}/export`, {
      token: acme.token,
      query: { format: "json", event_type: "login_failed" },
    });
    expect(res.status).toBe(200);
    expect(res.headers["Content-Disposition"]).toMatch(/filename="audit_log_\d{8}\.json"/);
    expect(res.body.export).toMatchObject({ count: 1 });
    expect(res.body.logs.map((l: { event: string }) => l.event)).toEqual(["Failed Login"]);
    const byUser = await call("GET", `${BASE}/export`, {
      token: acme.token,
      query: { format: "json", username: "ops01" },
    });
    expect(byUser.body.logs.map((l: { user: string }) => l.user)).toEqual(["ops01"]);
  });

  it("exports a real PDF with the records' text", async () => {
    const res = await call("GET", `${BASE}/export`, { token: acme.token, query: { format: "pdf" } });
    expect(res.status).toBe(200);
    expect(res.headers["Content-Type"]).toBe("application/pdf");
    expect(res.headers["Content-Disposition"]).toMatch(/filename="audit_log_\d{8}\.pdf"/);
    // The harness decodes bodies as UTF-8 text; re-fetch the raw bytes from the Lambda result.
    const raw = await rawCall(`${BASE}/export`, acme.token, { format: "pdf" });
    expect(raw.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(raw.toString("latin1")).toMatch(/\/Type \/Page\b/);
    const text = pdfText(raw);
    expect(text).toContain("Security audit log");
    expect(text).toContain("Firewall Rule Added");
    expect(text).toContain("203.0.113.5");
  });

  it("refuses bad dates, reversed and too-long ranges and unknown formats, naming the field", async () => {
    await expectFieldErrors(`${BASE}/export`, [
      [{ start_date: "2025-13-01" }, "query.start_date"],
      [{ end_date: "15/03/2025" }, "query.end_date"],
      [{ start_date: "2025-03-15", end_date: "2025-03-14" }, "query.end_date"],
      [{ start_date: "2023-01-01", end_date: "2025-01-01" }, "query.start_date"],
      [{ format: "xml" }, "query.format"],
    ]);
  });

  it("answers 401 and 403, and records who exported", async () => {
    expect((await call("GET", `${BASE}/export`)).status).toBe(401);
    expect((await call("GET", `${BASE}/export`, { token: viewerToken })).status).toBe(403);
    const trail = await readAudit(acme.tenantId, new Date(Date.now() - 60_000), new Date());
    expect(trail.find((r) => r.event_type === "audit_exported")).toMatchObject({
      event: "Audit Log Exported",
      user: acme.username,
      details: expect.objectContaining({ format: "pdf" }),
    });
  });
});

/** Each query is refused with a 400 whose message names its field (`[query, field]` pairs). */
async function expectFieldErrors(path: string, cases: [Record<string, string>, string][]): Promise<void> {
  for (const [query, field] of cases) {
    const res = await call("GET", path, { token: acme.token, query });
    expect(res.status, JSON.stringify(query)).toBe(400);
    expect(res.body.message).toContain(field);
  }
}

/** A GET answered as binary media (base64-encoded, as API Gateway needs it): its bytes. */
async function rawCall(path: string, token: string, query: Record<string, string>): Promise<Buffer> {
  const res = await call("GET", path, { token, query });
  expect(res.base64).toBe(true);
  return res.raw;
}

describe("GET /cloud-integration/security/audit/stats", () => {
  it("answers the spec example's fields from the trail, with alerts derived from it", async () => {
    const t = await newTenant("audit-stats");
    await appendAudit(t.tenantId, [
      ...SPEC_RECORDS,
      {
        event: "Login",
        eventType: "login",
        resource: "/api/auth/login",
        status: "success",
        user: "admin",
        ip: "45.33.32.156",
      },
      ...Array.from({ length: 5 }, () => ({
        event: "Failed Login",
        eventType: "login_failed",
        resource: "/api/auth/login",
        status: "failed" as const,
        user: "unknown",
        ip: "198.51.100.66",
      })),
      {
        event: "Account Locked",
        eventType: "account_locked",
        resource: "/api/auth/login",
        status: "success",
        severity: "high",
        user: "ops01",
        ip: "203.0.113.5",
        details: { reason: "Too many failed login attempts" },
      },
      {
        event: "IP Blocked",
        eventType: "brute_force_ip_blocked",
        resource: "/api/auth/login",
        status: "success",
        severity: "high",
        user: "unknown",
        ip: "203.0.113.77",
        details: { attempts: 50 },
      },
    ]);
    const res = await call("GET", `${BASE}/stats`, { token: t.token });
    expect(res.status).toBe(200);
    const b = res.body;
    expect(b.time_range).toBe("24h");
    // 5 spec + 1 login + 5 failures + lock + block + tenant_created
    expect(b.last_24_hours).toEqual({
      total_events: 14,
      successful: 8,
      failed: 6,
      login_attempts: 8,
      ssh_sessions: 1,
      user_changes: 1,
      firewall_changes: 1,
      api_calls: 3,
      access_denied: 0,
    });
    expect(b.top_users[0]).toEqual({ username: "unknown", events: 7, success_rate: 14 });
    expect(b.top_users).toContainEqual({ username: "admin", events: 4, success_rate: 100 });
    expect(b.top_ips).toContainEqual({ ip: "198.51.100.66", events: 5, success_rate: 0 });
    expect(b.event_timeline).toHaveLength(24);
    expect(b.event_timeline[23].hour).toBe(`${new Date().toISOString().slice(11, 13)}:00`);
    expect(b.event_timeline.reduce((s: number, e: { events: number }) => s + e.events, 0)).toBe(14);
    expect(b.event_timeline.every((e: { hour: string }) => /^\d{2}:00$/.test(e.hour))).toBe(true);
    const types = b.security_alerts.map((a: { type: string }) => a.type).sort();
    expect(types).toEqual(["account_locked", "brute_force", "brute_force", "unusual_location"]);
    expect(b.security_alerts).toContainEqual({
      timestamp: expect.any(String),
      type: "brute_force",
      ip: "198.51.100.66",
      severity: "high",
      description: "Multiple failed login attempts from single IP (5 attempts in 5 minutes)",
      action_taken: "none",
    });
    expect(b.security_alerts).toContainEqual(
      expect.objectContaining({ type: "brute_force", ip: "203.0.113.77", action_taken: "IP temporarily blocked" }),
    );
    expect(b.security_alerts).toContainEqual({
      timestamp: expect.any(String),
      type: "unusual_location",
      user: "admin",
      ip: "45.33.32.156",
      severity: "medium",
      description: "Login from new location (previously only from 192.168.1.100)",
    });
    expect(b.compliance).toEqual({
      retention_days: 90,
      encryption_enabled: true,
      tamper_protection: true,
      chain_intact: true,
      export_capability: true,
    });
  });

  it("answers 7d, 30d and custom ranges with one timeline entry per day", async () => {
    const week = await call("GET", `${BASE}/stats`, { token: acme.token, query: { time_range: "7d" } });
    expect(week.body.time_range).toBe("7d");
    expect(week.body.event_timeline).toHaveLength(7);
    expect(week.body.event_timeline[6]).toMatchObject({ day: new Date().toISOString().slice(0, 10) });
    expect(
      (await call("GET", `${BASE}/stats`, { token: acme.token, query: { time_range: "30d" } })).body.event_timeline,
    ).toHaveLength(30);
    const end = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);
    const custom = await call("GET", `${BASE}/stats`, {
      token: acme.token,
      query: { time_range: "custom", start_date: start, end_date: end },
    });
    expect(custom.body).toMatchObject({ time_range: "custom", period: { start: `${start}T00:00:00.000Z` } });
    expect(custom.body.event_timeline).toHaveLength(3);
    expect(custom.body.last_24_hours.total_events).toBeGreaterThanOrEqual(5);
  });

  it("refuses bad input naming the field; 401 and 403", async () => {
    await expectFieldErrors(`${BASE}/stats`, [
      [{ time_range: "1y" }, "query.time_range"],
      [{ time_range: "custom" }, "query.start_date"],
      [{ time_range: "24h", start_date: "2025-03-01" }, "query.start_date"],
      [{ start_date: "2025-03-10", end_date: "2025-03-01" }, "query.end_date"],
    ]);
    expect((await call("GET", `${BASE}/stats`)).status).toBe(401);
    expect((await call("GET", `${BASE}/stats`, { token: viewerToken })).status).toBe(403);
  });

  it("reveals a record altered in the table: verifyAuditChain and compliance.chain_intact", async () => {
    const t = await newTenant("audit-tamper");
    const [, victim] = await appendAudit(t.tenantId, [
      { event: "Login", eventType: "login", resource: "/api/auth/login", status: "success", user: "admin" },
      { event: "Login", eventType: "login", resource: "/api/auth/login", status: "failed", user: "mallory" },
      { event: "Logout", eventType: "logout", resource: "/api/auth/logout", status: "success", user: "admin" },
    ]);
    // The stream's linker runs asynchronously when deployed; here it runs now.
    await linkAuditChain(t.tenantId);
    expect(await verifyAuditChain(t.tenantId)).toMatchObject({ intact: true });
    const linked = (await readAudit(t.tenantId, new Date(Date.now() - 60_000), new Date())).find(
      (r) => r.id === victim?.id,
    );
    expect(linked?.seq).toEqual(expect.any(Number));
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: auditRecordKey(t.tenantId, { timestamp: String(victim?.timestamp), id: String(victim?.id) }),
        UpdateExpression: "SET #s = :ok",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":ok": "success" },
      }),
    );
    expect(await verifyAuditChain(t.tenantId)).toMatchObject({
      intact: false,
      brokenAt: { seq: linked?.seq, id: victim?.id, reason: "record content altered" },
    });
    const stats = await call("GET", `${BASE}/stats`, { token: t.token });
    expect(stats.body.compliance).toMatchObject({ tamper_protection: true, chain_intact: false });
    expect(stats.body.compliance.chain_broken_at).toMatchObject({ seq: linked?.seq });
  });
});

describe("POST /cloud-integration/security/audit/clear", () => {
  /** A tenant whose trail starts 40 days ago: signup and records then, more 35 days ago, more now. */
  async function agedTenant(label: string) {
    const old = await at(new Date(Date.now() - 40 * DAY), async () => {
      const t = await newTenant(label);
      await appendAudit(t.tenantId, [
        {
          event: "Login",
          eventType: "login",
          resource: "/api/auth/login",
          status: "success",
          user: "admin",
          details: { n: 1 },
        },
        { event: "Logout", eventType: "logout", resource: "/api/auth/logout", status: "success", user: "admin" },
      ]);
      return t;
    });
    await at(new Date(Date.now() - 35 * DAY), () =>
      appendAudit(old.tenantId, [
        { event: "Login", eventType: "login", resource: "/api/auth/login", status: "success", user: "admin" },
      ]),
    );
    await appendAudit(old.tenantId, [
      { event: "Login", eventType: "login", resource: "/api/auth/login", status: "success", user: "admin" },
    ]);
    // What the stream's linker does when deployed: link the records, oldest id first.
    await linkAuditChain(old.tenantId);
    // The signup token was issued 40 days ago and has long expired: a fresh one for today.
    const { token } = await issueAccessToken({ userId: old.userId, tenantId: old.tenantId, role: "admin" });
    return { ...old, token };
  }

  it("answers the spec example: archives, deletes, retains, and the chain still verifies", async () => {
    const t = await agedTenant("audit-clear");
    const res = await call("POST", `${BASE}/clear`, {
      token: t.token,
      body: { older_than_days: 30, confirm: true, archive_before_delete: true, reason: "Routine cleanup" },
    });
    expect(res.status).toBe(200);
    // signup's tenant_created + 2 records 40 days ago + 1 record 35 days ago; kept: this login.
    expect(res.body).toEqual({
      status: "cleared",
      deleted_count: 4,
      archived_count: 4,
      retained_count: 1,
      archive_file: expect.stringMatching(/^audit-archive:\/\/\d{8}-[0-9a-f]{8}$/),
      message: "Audit logs cleared successfully",
    });
    expect(await verifyAuditChain(t.tenantId)).toMatchObject({ intact: true, anchoredAt: { seq: 4 } });
    const left = await readAudit(t.tenantId, new Date(Date.now() - 60 * DAY), new Date());
    expect(left.map((r) => r.event_type).sort()).toEqual(["audit_cleared", "login"]);
    expect(left.find((r) => r.event_type === "audit_cleared")).toMatchObject({
      event: "Audit Log Cleared",
      user: t.username,
      details: expect.objectContaining({ deleted_count: 4, reason: "Routine cleanup" }),
    });

    const id = String(res.body.archive_file).replace("audit-archive://", "");
    const archive = await readAuditArchive(t.tenantId, id);
    expect(archive?.meta).toMatchObject({ count: 4, firstSeq: 1, lastSeq: 4, reason: "Routine cleanup" });
    const lines = gunzipSync(archive?.gzip ?? Buffer.alloc(0))
      .toString("utf8")
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    // The signup and the first login were written in the same (frozen) millisecond: either may link first.
    expect(lines.map((l) => l.event_type).sort()).toEqual(["login", "login", "logout", "tenant_created"]);
    expect(lines[0]).toMatchObject({ prevHash: "0".repeat(64) });

    const stats = await call("GET", `${BASE}/stats`, { token: t.token });
    expect(stats.body.compliance.chain_intact).toBe(true);
    const again = await call("POST", `${BASE}/clear`, { token: t.token, body: { older_than_days: 30, confirm: true } });
    expect(again.body).toMatchObject({ deleted_count: 0, archive_file: null });
    expect(await verifyAuditChain(t.tenantId)).toMatchObject({ intact: true });
  });

  it("deletes without an archive when asked, and keeps what is newer than the cutoff", async () => {
    const t = await agedTenant("audit-clear-noarch");
    const res = await call("POST", `${BASE}/clear`, {
      token: t.token,
      body: { older_than_days: 38, confirm: true, archive_before_delete: false },
    });
    expect(res.body).toMatchObject({ deleted_count: 3, archived_count: 0, retained_count: 2, archive_file: null });
    expect(await verifyAuditChain(t.tenantId)).toMatchObject({ intact: true, anchoredAt: { seq: 3 } });
  });

  it("requires confirm: true and a positive older_than_days, naming the field", async () => {
    for (const [body, field] of [
      [{ older_than_days: 30, confirm: false }, "body.confirm"],
      [{ older_than_days: 30 }, "body.confirm"],
      [{ older_than_days: 0, confirm: true }, "body.older_than_days"],
      [{ confirm: true }, "body.older_than_days"],
      [{ older_than_days: 30, confirm: true, tenant_id: globex.tenantId }, "body.tenant_id"],
    ] as const) {
      const res = await call("POST", `${BASE}/clear`, { token: acme.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toContain(field);
    }
  });

  it("answers 401 and 403 (audit:admin), and never touches another tenant's trail", async () => {
    expect((await call("POST", `${BASE}/clear`, { body: { older_than_days: 1, confirm: true } })).status).toBe(401);
    const denied = await call("POST", `${BASE}/clear`, {
      token: viewerToken,
      body: { older_than_days: 1, confirm: true },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("audit:admin");
    const other = await agedTenant("audit-clear-other");
    const before = await readAudit(other.tenantId, new Date(Date.now() - 60 * DAY), new Date());
    await call("POST", `${BASE}/clear`, { token: acme.token, body: { older_than_days: 1, confirm: true } });
    const after = await readAudit(other.tenantId, new Date(Date.now() - 60 * DAY), new Date());
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
  });
});
