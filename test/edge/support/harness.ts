/**
 * Awaits what a running edge does, on its own events (no sleeping). Starting edges against the
 * local IoT Core: test/helpers/edge.ts.
 */
import type { EdgeEvent, ReportedState, ShadowName } from "#edge/contract.ts";
import type { EdgeHandle } from "#edge/edge.ts";

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

/** The next event the edge publishes that satisfies `where`. */
export function nextPublished(
  edge: EdgeHandle,
  where: (e: EdgeEvent) => boolean,
  timeoutMs = 10_000,
): Promise<EdgeEvent> {
  return withTimeout("a published event", timeoutMs, (resolve) => {
    const listener = (e: EdgeEvent) => {
      if (where(e)) resolve(e);
    };
    edge.events.on("published", listener);
    return () => edge.events.off("published", listener);
  });
}
