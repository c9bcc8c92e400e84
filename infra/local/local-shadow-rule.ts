/**
 * Local stand-in for the IoT topic rule that feeds gateways' reported sync states to the realtime
 * worker (infra/stacks/iot-stack.ts `SHADOW_SYNC_SQL`):
 *
 *   SELECT previous.state.reported AS previous, current.state.reported AS current, topic() AS topic
 *   FROM '$aws/things/+/shadow/name/+/update/documents'
 *   WHERE <status, config_version, failed_version or drift of reported changed>
 *
 * It subscribes in-process to that filter on the local broker (the local shadow service publishes
 * `update/documents` there, for MQTT and HTTP updates alike) and invokes the handler with the same
 * event, only when the WHERE would hold (`syncChanged`, passed in like the handler, so this file
 * imports no shared code, whose configuration is read at import). Invocations run one after another;
 * each outcome is emitted as `delivered` (tests await it instead of sleeping).
 */
import { EventEmitter } from "node:events";
import type { Aedes, AedesPublishPacket } from "aedes";

export const SHADOW_DOCUMENTS_FILTER = "$aws/things/+/shadow/name/+/update/documents";

export interface DeliveredReport {
  topic: string;
  result?: unknown;
  error?: Error;
}

export interface LocalShadowRule {
  events: EventEmitter<{ delivered: [DeliveredReport] }>;
  /** Resolves when every report received so far has been handed to the handler and settled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const reportedOf = (doc: unknown): unknown => {
  const state = (doc as { state?: unknown } | undefined)?.state;
  return (state as { reported?: unknown } | undefined)?.reported;
};

export async function startLocalShadowRule(opts: {
  broker: Aedes;
  invoke: (event: { topic: string; previous?: unknown; current?: unknown }) => Promise<unknown>;
  /** The rule's WHERE: whether a sync-state field of `reported` changed. */
  syncChanged: (previous: unknown, current: unknown) => boolean;
  onError?: (e: Error, topic: string) => void;
}): Promise<LocalShadowRule> {
  const events = new EventEmitter<{ delivered: [DeliveredReport] }>();
  let queue: Promise<void> = Promise.resolve();

  const deliver = (packet: AedesPublishPacket, done: () => void) => {
    let doc: { previous?: unknown; current?: unknown } | undefined;
    try {
      doc = JSON.parse(Buffer.from(packet.payload).toString("utf8"));
    } catch {
      doc = undefined;
    }
    done();
    if (typeof doc !== "object" || doc === null) return;
    const previous = reportedOf(doc.previous);
    const current = reportedOf(doc.current);
    if (!opts.syncChanged(previous, current)) return;
    const event = {
      topic: packet.topic,
      ...(previous !== undefined && { previous }),
      ...(current !== undefined && { current }),
    };
    queue = queue.then(async () => {
      try {
        const result = await opts.invoke(event);
        events.emit("delivered", { topic: packet.topic, result });
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        opts.onError?.(error, packet.topic);
        events.emit("delivered", { topic: packet.topic, error });
      }
    });
  };

  await new Promise<void>((resolve) => opts.broker.subscribe(SHADOW_DOCUMENTS_FILTER, deliver, () => resolve()));

  return {
    events,
    idle: () => queue,
    async stop() {
      if (!opts.broker.closed) {
        await new Promise<void>((resolve) =>
          opts.broker.unsubscribe(SHADOW_DOCUMENTS_FILTER, deliver, () => resolve()),
        );
      }
      await queue;
    },
  };
}
