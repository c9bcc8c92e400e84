/**
 * A WebSocket client for the realtime tests and bench: opens a stream on a local server, records
 * every frame, and waits for the frame a test expects (no wall-clock sleeps: each wait ends at the
 * frame, or fails at its deadline naming what it waited for).
 */
import WebSocket from "ws";

export interface Frame {
  at: number;
  message: Record<string, unknown>;
}

export interface Client {
  ws: WebSocket;
  frames: Frame[];
  protocol: string;
  send(m: unknown): void;
  /** The first frame (received from index `from` on) that `match` accepts. */
  next(
    match: (m: Record<string, unknown>) => boolean,
    opts?: { timeoutMs?: number; from?: number; what?: string },
  ): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export class Refused extends Error {
  constructor(readonly status: number) {
    super(`handshake refused with ${status}`);
  }
}

export function openStream(
  baseUrl: string,
  path: string,
  opts: { token?: string; protocols?: string[]; headers?: Record<string, string> } = {},
): Promise<Client> {
  const url = `${baseUrl.replace(/^http/, "ws")}${path}${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ""}`;
  const ws = new WebSocket(url, opts.protocols ?? [], { headers: opts.headers });
  const frames: Frame[] = [];
  const listeners = new Set<() => void>();
  ws.on("message", (data) => {
    frames.push({ at: performance.now(), message: JSON.parse(String(data)) });
    for (const l of listeners) l();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_req, res) => reject(new Refused(res.statusCode ?? 0)));
    ws.once("error", reject);
    ws.once("open", () =>
      resolve({
        ws,
        frames,
        protocol: ws.protocol,
        closed,
        send: (m) => ws.send(JSON.stringify(m)),
        next(match, o = {}) {
          const from = o.from ?? 0;
          return new Promise<Frame>((res, rej) => {
            const check = () => {
              const f = frames.slice(from).find((x) => match(x.message));
              if (!f) return false;
              listeners.delete(listener);
              clearTimeout(timer);
              res(f);
              return true;
            };
            const listener = () => void check();
            const timer = setTimeout(() => {
              listeners.delete(listener);
              rej(
                new Error(
                  `no frame ${o.what ?? ""} within ${o.timeoutMs ?? 5000} ms; got ${JSON.stringify(frames.map((x) => x.message)).slice(0, 1500)}`,
                ),
              );
            }, o.timeoutMs ?? 5000);
            if (!check()) listeners.add(listener);
          });
        },
        async close() {
          if (ws.readyState === WebSocket.OPEN) ws.close(1000);
          await closed;
        },
      }),
    );
  });
}
