/**
 * Local stand-in for the IoT topic rule that feeds gateway events to the ingest function:
 *
 *   SELECT encode(*, 'base64') AS payload, topic() AS topic FROM 'warden/+/+/events'
 *
 * It subscribes in-process to that filter on the local broker (aedes) and invokes the ingest
 * handler with the event shape the rule produces: the device's payload (base64) beside the topic.
 * A payload that is not a JSON object is not delivered.
 * Invocations run one after another; each outcome is emitted as `ingested` (tests await it instead
 * of sleeping). The handler is passed in, so this file imports no shared code (whose configuration
 * is read at import, after local mode has set the environment).
 */
import { EventEmitter } from "node:events";
import type { Aedes, AedesPublishPacket } from "aedes";

export const EVENTS_TOPIC_FILTER = "warden/+/+/events";

export interface IngestedEvent {
  topic: string;
  tenant: string;
  thing: string;
  type: unknown;
  result?: unknown;
  error?: Error;
}

export interface LocalIotRule {
  events: EventEmitter<{ ingested: [IngestedEvent] }>;
  /** Resolves when every event received so far has been handed to the handler and settled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalIotRule(opts: {
  broker: Aedes;
  invoke: (event: Record<string, unknown>) => Promise<unknown>;
  onError?: (e: Error, topic: string) => void;
}): Promise<LocalIotRule> {
  const events = new EventEmitter<{ ingested: [IngestedEvent] }>();
  let queue: Promise<void> = Promise.resolve();

  const deliver = (packet: AedesPublishPacket, done: () => void) => {
    const [, tenant = "", thing = ""] = packet.topic.split("/");
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(packet.payload).toString("utf8"));
    } catch {
      payload = undefined;
    }
    done();
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      opts.onError?.(new Error("payload is not a JSON object; the rule skips it"), packet.topic);
      return;
    }
    const event = { payload: Buffer.from(packet.payload).toString("base64"), topic: packet.topic };
    const type = (payload as { type?: unknown }).type;
    queue = queue.then(async () => {
      try {
        const result = await opts.invoke(event);
        events.emit("ingested", { topic: packet.topic, tenant, thing, type, result });
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        opts.onError?.(error, packet.topic);
        events.emit("ingested", { topic: packet.topic, tenant, thing, type, error });
      }
    });
  };

  await new Promise<void>((resolve) => opts.broker.subscribe(EVENTS_TOPIC_FILTER, deliver, () => resolve()));

  return {
    events,
    idle: () => queue,
    async stop() {
      if (!opts.broker.closed) {
        await new Promise<void>((resolve) => opts.broker.unsubscribe(EVENTS_TOPIC_FILTER, deliver, () => resolve()));
      }
      await queue;
    },
  };
}
