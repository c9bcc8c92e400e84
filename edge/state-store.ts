/**
 * What the edge remembers across restarts, as small JSON files under `<stateDir>/state/`: the last
 * report per shadow, the log prefixes of the live ruleset, the active SSH sessions. Files are
 * replaced atomically and read back through a schema; an unreadable file counts as absent.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod/mini";
import { type ReportedState, ReportedStateSchema, type ShadowName } from "./contract.ts";
import { writeFileAtomic } from "./files.ts";
import type { LogPrefixMap } from "./render-nft.ts";
import { type SshSession, SshSessionSchema } from "./sessions.ts";

const LogPrefixMapSchema = z.record(
  z.string(),
  z.object({
    rule_id: z.nullable(z.number().check(z.int())),
    rule_name: z.nullable(z.string()),
    action: z.enum(["ACCEPT", "DROP", "REJECT", "LOG"]),
    reason: z.nullable(z.string()),
  }),
);

export interface StateStore {
  readReport(shadow: ShadowName): Promise<ReportedState | undefined>;
  writeReport(shadow: ShadowName, report: ReportedState): Promise<void>;
  readLogPrefixes(): Promise<LogPrefixMap | undefined>;
  writeLogPrefixes(prefixes: LogPrefixMap): Promise<void>;
  readSessions(): Promise<SshSession[] | undefined>;
  writeSessions(sessions: SshSession[]): Promise<void>;
}

export function createStateStore(dir: string): StateStore {
  async function read<T>(file: string, schema: z.ZodMiniType<T>): Promise<T | undefined> {
    const text = await readFile(join(dir, file), "utf8").catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
  const write = (file: string, value: unknown) =>
    writeFileAtomic(join(dir, file), `${JSON.stringify(value, null, 2)}\n`, 0o600);

  return {
    readReport: (shadow) => read(`${shadow}-reported.json`, ReportedStateSchema),
    writeReport: (shadow, report) => write(`${shadow}-reported.json`, report),
    readLogPrefixes: () => read("log-prefixes.json", LogPrefixMapSchema),
    writeLogPrefixes: (prefixes) => write("log-prefixes.json", prefixes),
    readSessions: () => read("ssh-sessions.json", z.array(SshSessionSchema)),
    writeSessions: (sessions) => write("ssh-sessions.json", sessions),
  };
}
