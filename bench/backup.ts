/**
 * Backup and restore: wall time of `GET /backup` (every component, sealed under a data key) and of
 * `POST /restore` of that stored backup by id (every restorable component: validation, the
 * roll-back snapshot, the writes), and the file's size, for tenants of 10 and 1,000 users with the
 * most firewall rules the tenant-wide document can hold: 1,000 cannot be saved (the edge contract
 * caps a document at 500 rules, and the desired document must fit the 8 KB shadow), so the largest
 * count of a ladder (500, 200, 100, …) that saves is used and printed.
 *
 * Seeded through the domain functions (createUser, all users sharing one real password hash;
 * replaceFirewallScope),
 * measured through the routes in-process against DynamoDB Local and the blob folder. No gateways:
 * no shadow is written. Figures are returned, never asserted.
 *
 * In `npm run bench` (bench/run.ts sets the environment); alone: `npx tsx bench/backup.ts`.
 */
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Call = typeof import("#test/helpers/api.ts").call;
type NewTenant = typeof import("#test/helpers/api.ts").newTenant;

export interface BackupBenchRow {
  users: number;
  firewallRules: number;
  seedMs: number;
  backupMs: number;
  sizeBytes: number;
  restoreMs: number;
  usersRestored: number;
  rulesRestored: number;
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

export async function benchBackup(
  opts: { call: Call; newTenant: NewTenant },
  sizes = [10, 1000],
): Promise<BackupBenchRow[]> {
  const { getUser } = await import("#shared/identity/db/users.ts");
  const { createUser } = await import("#shared/identity/create-user.ts");
  const { preparePassword } = await import("#shared/identity/passwords.ts");
  const { getAuthPolicy } = await import("#shared/identity/auth-policy.ts");
  const { BUILT_IN_ROLES } = await import("#shared/auth/permissions.ts");
  const { emptyFirewallScope, replaceFirewallScope } = await import("#shared/fleet/firewall.ts");
  const S = "/cloud-integration/security";
  const rows: BackupBenchRow[] = [];
  for (const users of sizes) {
    const t = await opts.newTenant(`bench-backup-${users}`);
    const admin = await getUser(t.tenantId, t.userId);
    if (!admin) throw new Error("no admin");
    // One real password hash, shared by every seeded user: seeding is not what is measured, and a
    // thousand scrypt hashes would take minutes on a shared machine.
    const password = await preparePassword("Str0ng!Passphrase#2026", await getAuthPolicy(t.tenantId), {
      username: "bench",
    });
    const seeded = performance.now();
    // The admin is one of the tenant's users already.
    const names = Array.from(
      { length: users - 1 },
      (_, i) => `u${String(i + 1).padStart(4, "0")}-${t.tenantId.slice(-8)}`,
    );
    await pool(names, 8, async (username) => {
      await createUser(t.tenantId, {
        username,
        email: `${username}@bench.example`,
        fullName: `Bench ${username}`,
        role: "viewer",
        permissions: [...(BUILT_IN_ROLES.viewer?.permissions ?? [])],
        password,
      });
    });
    let firewallRules = 0;
    for (const n of [500, 200, 100, 80, 60, 50, 40, 30, 20, 10]) {
      const created = new Date().toISOString();
      const rules = Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        name: `Rule ${i + 1}`,
        description: "",
        chain: "INPUT" as const,
        port: String(10_000 + i),
        protocol: "TCP" as const,
        source: "0.0.0.0/0",
        destination: "0.0.0.0/0",
        action: "ACCEPT" as const,
        priority: 100 + i,
        enabled: true,
        log_matches: false,
        created,
      }));
      const ok = await replaceFirewallScope(
        { tenantId: t.tenantId, by: t.username },
        { ...emptyFirewallScope(), rules },
      ).then(
        () => true,
        (e: { statusCode?: number }) => {
          if (e.statusCode === 413 || e.statusCode === 400) return false;
          throw e;
        },
      );
      if (ok) {
        firewallRules = n;
        break;
      }
    }
    const seedMs = performance.now() - seeded;

    let at = performance.now();
    const backup = await opts.call("GET", `${S}/backup`, { token: t.token });
    const backupMs = performance.now() - at;
    if (backup.status !== 200) throw new Error(`backup: ${backup.status} ${backup.text.slice(0, 300)}`);
    at = performance.now();
    const restore = await opts.call("POST", `${S}/restore`, {
      token: t.token,
      body: { backup_id: backup.body.backup_id },
    });
    const restoreMs = performance.now() - at;
    if (restore.status !== 200) throw new Error(`restore: ${restore.status} ${restore.text.slice(0, 300)}`);
    rows.push({
      users,
      firewallRules,
      seedMs: Math.round(seedMs),
      backupMs: Math.round(backupMs),
      sizeBytes: backup.body.size_bytes,
      restoreMs: Math.round(restoreMs),
      usersRestored: restore.body.users_restored,
      rulesRestored: restore.body.rules_restored,
    });
  }
  return rows;
}

export function printBackup(rows: BackupBenchRow[]): void {
  console.log("\nBackup and restore (every component; data-key sealed; restore by backup_id, in-process):");
  for (const r of rows) {
    console.log(
      `  ${String(r.users).padStart(5)} users, ${String(r.firewallRules).padStart(4)} firewall rules: backup ${r.backupMs} ms, ${r.sizeBytes} bytes; restore ${r.restoreMs} ms (${r.usersRestored} users matched, ${r.rulesRestored} rules written); seeding took ${r.seedMs} ms`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { useBenchEnvironment } = await import("./env.ts");
  const { stop } = await useBenchEnvironment("warden-bench", {
    WARDEN_SIGNUP_PLAN: "enterprise",
    BLOB_DIR: join(tmpdir(), `warden-bench-blobs-${randomUUID()}`),
  });
  try {
    const { call, newTenant } = await import("#test/helpers/api.ts");
    printBackup(await benchBackup({ call, newTenant }));
  } finally {
    await stop();
  }
}
