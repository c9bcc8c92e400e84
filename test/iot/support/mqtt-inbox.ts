/**
 * An MQTT test client that records every message it receives, so a test can await "the next
 * message on this topic" (with a timeout) instead of sleeping.
 */
import mqtt, { type MqttClient } from "mqtt";

export interface ReceivedMessage {
  topic: string;
  text: string;
  json: unknown;
}

export interface Inbox {
  client: MqttClient;
  /** Resolves with the first not yet consumed message on `topic` that satisfies `where`. */
  next(
    topic: string | RegExp,
    opts?: { where?: (m: ReceivedMessage) => boolean; timeoutMs?: number },
  ): Promise<ReceivedMessage>;
  /** Messages received so far on a topic (consumed or not). */
  all(topic: string | RegExp): ReceivedMessage[];
  publish(topic: string, payload: object | string): Promise<void>;
  close(): Promise<void>;
}

interface Waiter {
  matches(m: ReceivedMessage): boolean;
  resolve(m: ReceivedMessage): void;
}

function topicMatches(pattern: string | RegExp, topic: string): boolean {
  return typeof pattern === "string" ? pattern === topic : pattern.test(topic);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function connectInbox(url: string, topics: string[], clientId?: string): Promise<Inbox> {
  const client = await mqtt.connectAsync(url, {
    clientId: clientId ?? `inbox-${Math.random().toString(16).slice(2)}`,
    reconnectPeriod: 0,
  });
  const received: ReceivedMessage[] = [];
  const unconsumed: ReceivedMessage[] = [];
  const waiters = new Set<Waiter>();
  client.on("message", (topic, payload) => {
    const text = payload.toString("utf8");
    const message = { topic, text, json: parse(text) };
    received.push(message);
    for (const waiter of waiters) {
      if (waiter.matches(message)) {
        waiters.delete(waiter);
        waiter.resolve(message);
        return;
      }
    }
    unconsumed.push(message);
  });
  if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });

  return {
    client,
    next(topic, opts = {}) {
      const where = opts.where ?? (() => true);
      const matches = (m: ReceivedMessage) => topicMatches(topic, m.topic) && where(m);
      const index = unconsumed.findIndex(matches);
      if (index >= 0) {
        const [found] = unconsumed.splice(index, 1);
        if (found) return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const timeoutMs = opts.timeoutMs ?? 5000;
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = received.map((m) => m.topic).join(", ") || "nothing";
          reject(new Error(`no message on ${String(topic)} within ${timeoutMs} ms (received: ${seen})`));
        }, timeoutMs);
        const waiter: Waiter = {
          matches,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        waiters.add(waiter);
      });
    },
    all(topic) {
      return received.filter((m) => topicMatches(topic, m.topic));
    },
    async publish(topic, payload) {
      await client.publishAsync(topic, typeof payload === "string" ? payload : JSON.stringify(payload), { qos: 1 });
    },
    async close() {
      await client.endAsync(true);
    },
  };
}
