/**
 * The gateway's MQTT connection: mqtts with the device certificate in production, plain TCP in
 * local mode. Reconnects with exponential backoff and jitter (mqtt.js only offers a fixed period),
 * re-subscribes on every connection, and holds messages published while offline until it is back.
 */
import { EventEmitter } from "node:events";
import { Socket } from "node:net";
import mqtt, { type IClientOptions } from "mqtt";
import type { Logger } from "./logger.ts";

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** Delay before reconnect attempt `attempt` (0-based): doubling, capped, with "equal jitter". */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

const CLOSE_GRACE_MS = 2000;

export interface MqttLinkOptions {
  url: string;
  clientId: string;
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
  subscriptions: readonly string[];
  backoff: BackoffOptions;
  keepaliveSeconds?: number;
  /** Messages kept while offline (oldest dropped first). */
  offlineQueueLimit?: number;
  log: Logger;
}

interface LinkEvents {
  /** Connected and subscribed. */
  ready: [];
  offline: [];
  message: [topic: string, payload: Buffer];
}

export interface MqttLink {
  events: EventEmitter<LinkEvents>;
  isReady(): boolean;
  /** Sends now when connected, otherwise when the link is back. */
  publish(topic: string, payload: string, qos?: 0 | 1): void;
  close(): Promise<void>;
}

export function openMqttLink(opts: MqttLinkOptions): MqttLink {
  const events = new EventEmitter<LinkEvents>();
  const clientOptions: IClientOptions = {
    clientId: opts.clientId,
    clean: true,
    keepalive: opts.keepaliveSeconds ?? 30,
    connectTimeout: 10_000,
    reconnectPeriod: 0,
    ...(opts.tls && { cert: opts.tls.cert, key: opts.tls.key, ...(opts.tls.ca && { ca: opts.tls.ca }) }),
  };
  const client = mqtt.connect(opts.url, clientOptions);
  const limit = opts.offlineQueueLimit ?? 500;
  const queue: { topic: string; payload: string; qos: 0 | 1 }[] = [];
  let ready = false;
  let closing = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const send = (topic: string, payload: string, qos: 0 | 1) => {
    client.publish(topic, payload, { qos }, (err) => {
      if (err) opts.log("warn", "mqtt publish failed", { topic, error: err.message });
    });
  };

  client.on("connect", () => {
    attempt = 0;
    // Shadow traffic is small request/response messages: send them now, not after Nagle's delay.
    if (client.stream instanceof Socket) client.stream.setNoDelay(true);
    opts.log("info", "mqtt connected", { url: opts.url });
    client
      .subscribeAsync([...opts.subscriptions], { qos: 1 })
      .then(() => {
        ready = true;
        for (const m of queue.splice(0)) send(m.topic, m.payload, m.qos);
        events.emit("ready");
      })
      .catch((e: unknown) => {
        opts.log("error", "mqtt subscribe failed; reconnecting", { error: String(e) });
        client.end(true, () => scheduleReconnect());
      });
  });
  client.on("close", () => {
    const wasReady = ready;
    ready = false;
    if (wasReady) events.emit("offline");
    scheduleReconnect();
  });
  // While closing, the stream may complain about late writes (a PUBACK after DISCONNECT): not news.
  client.on("error", (e) => opts.log(closing ? "debug" : "warn", "mqtt error", { error: e.message }));
  client.on("message", (topic, payload) => events.emit("message", topic, payload));

  function scheduleReconnect() {
    if (closing || timer) return;
    const delay = backoffDelay(attempt++, opts.backoff);
    opts.log("info", "mqtt reconnecting", { in_ms: delay, attempt });
    timer = setTimeout(() => {
      timer = undefined;
      // Keep the stores: QoS 1 messages still in flight when the link dropped are sent again.
      if (!closing) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delay);
  }

  return {
    events,
    isReady: () => ready,
    publish(topic, payload, qos = 1) {
      if (ready) {
        send(topic, payload, qos);
        return;
      }
      queue.push({ topic, payload, qos });
      if (queue.length > limit) queue.shift();
    },
    async close() {
      closing = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      // A graceful end waits for in-flight acknowledgements, which a broker that went away never
      // sends; past a short grace period the connection is closed anyway (the next start re-syncs).
      let grace: NodeJS.Timeout | undefined;
      const graceful = client.endAsync(false).then(
        () => true,
        () => false,
      );
      const expired = new Promise<boolean>((resolve) => {
        grace = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
      });
      const ended = await Promise.race([graceful, expired]);
      clearTimeout(grace);
      if (!ended) await client.endAsync(true);
    },
  };
}
