/** Starts sandboxed edges against local IoT Core and awaits what they do (no sleeping). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReportedState, ShadowName } from "#edge/contract.ts";
import { type EdgeHandle, type StartEdgeOptions, startEdge } from "#edge/edge.ts";

export async function startSandboxEdge(
  mqttUrl: string,
  thingName: string,
  overrides: Partial<StartEdgeOptions> = {},
): Promise<{ edge: EdgeHandle; stateDir: string }> {
  const stateDir = mkdtempSync(join(tmpdir(), `warden-edge-${thingName}-`));
  const edge = await startEdge({
    thingName,
    tenant: "acme",
    mqttUrl,
    stateDir,
    sandbox: true,
    logLevel: "silent",
    backoff: { initialMs: 50, maxMs: 400 },
    ...overrides,
  });
  return { edge, stateDir };
}

function withTimeout<T>(
  what: string,
  timeoutMs: number,
  subscribe: (resolve: (value: T) => void) => () => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const unsubscribe = subscribe((value) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`${what} did not happen within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

/** The next report the edge makes for `shadow` that satisfies `where`. */
export function nextReport(
  edge: EdgeHandle,
  shadow: ShadowName,
  where: (reported: ReportedState) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<ReportedState> {
  return withTimeout(`a ${shadow} report`, timeoutMs, (resolve) => {
    const listener = (s: ShadowName, reported: ReportedState) => {
      if (s === shadow && where(reported)) resolve(reported);
    };
    edge.events.on("reported", listener);
    return () => edge.events.off("reported", listener);
  });
}

/** The next time the edge connects (or reconnects) and subscribes. */
export function nextReady(edge: EdgeHandle, timeoutMs = 10_000): Promise<void> {
  return withTimeout("a connection", timeoutMs, (resolve) => {
    const listener = () => resolve();
    edge.events.on("ready", listener);
    return () => edge.events.off("ready", listener);
  });
}

/** The next time the edge loses its connection. */
export function nextOffline(edge: EdgeHandle, timeoutMs = 10_000): Promise<void> {
  return withTimeout("a disconnection", timeoutMs, (resolve) => {
    const listener = () => resolve();
    edge.events.on("offline", listener);
    return () => edge.events.off("offline", listener);
  });
}
