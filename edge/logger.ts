/** The edge's own log: JSON lines on stderr (journald keeps them), below a level threshold. */

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type Logger = (level: Exclude<LogLevel, "silent">, message: string, fields?: Record<string, unknown>) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function isLogLevel(value: string): value is LogLevel {
  return value in RANK;
}

export function createLogger(threshold: LogLevel, context: Record<string, unknown> = {}): Logger {
  return (level, message, fields = {}) => {
    if (RANK[level] < RANK[threshold]) return;
    process.stderr.write(
      `${JSON.stringify({ level, message, time: new Date().toISOString(), ...context, ...fields })}\n`,
    );
  };
}
