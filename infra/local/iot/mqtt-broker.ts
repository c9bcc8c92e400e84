/**
 * The MQTT side of local IoT Core: an aedes broker on plain TCP, and the bridge that answers the
 * reserved shadow topics with the shadow service (…/get → …/get/accepted|rejected, …/update →
 * …/update/rejected on error; accepted/documents/delta/delete-accepted come from the service's
 * `publish` events, so HTTP changes reach MQTT subscribers too).
 */
import { createServer, type Socket } from "node:net";
import { Aedes, type AedesPublishPacket } from "aedes";
import type { ShadowPublication, ShadowResult, ShadowService } from "./shadow-service.ts";
import { parseShadowRequestTopic, SHADOW_REQUEST_FILTERS, shadowTopic } from "./shadow-topics.ts";

export interface LocalMqttBroker {
  broker: Aedes;
  url: string;
  port: number;
  /** Sends a message as IoT Core would (QoS 1 unless told otherwise). */
  publish(topic: string, payload: string | Buffer, opts?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function startMqttBroker(opts: { port: number; host: string }): Promise<LocalMqttBroker> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;

  const publish: LocalMqttBroker["publish"] = (topic, payload, publishOpts = {}) =>
    new Promise((resolve, reject) => {
      broker.publish(
        {
          cmd: "publish",
          topic,
          payload,
          qos: publishOpts.qos ?? 1,
          retain: publishOpts.retain ?? false,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      );
    });

  return {
    broker,
    url: `mqtt://${opts.host}:${port}`,
    port,
    publish,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Wires the shadow service to the broker. Returns a function that undoes the wiring. */
export async function bridgeShadowsToMqtt(mqtt: LocalMqttBroker, shadows: ShadowService): Promise<() => Promise<void>> {
  const send = (topic: string, payload: object) => {
    mqtt.publish(topic, JSON.stringify(payload)).catch(() => {
      // The broker is closing; IoT Core does not retry a publication to an absent subscriber either.
    });
  };
  const onPublication = (p: ShadowPublication) => send(p.topic, p.payload);
  shadows.on("publish", onPublication);

  const deliver = (packet: AedesPublishPacket, done: () => void) => {
    const request = parseShadowRequestTopic(packet.topic);
    if (request) {
      const { thing, shadowName, operation } = request;
      const result: ShadowResult<object> =
        operation === "update"
          ? shadows.update(thing, shadowName, packet.payload)
          : operation === "get"
            ? shadows.get(thing, shadowName, packet.payload)
            : shadows.delete(thing, shadowName, packet.payload);
      if (result.kind === "rejected") {
        send(shadowTopic(thing, shadowName, `${operation}/rejected`), result.error);
      } else if (operation === "get") {
        // Update and delete acceptances are broadcast by the service itself; a get is answered here.
        send(shadowTopic(thing, shadowName, "get/accepted"), result.document);
      }
    }
    done();
  };
  await Promise.all(
    SHADOW_REQUEST_FILTERS.map(
      (filter) => new Promise<void>((resolve) => mqtt.broker.subscribe(filter, deliver, () => resolve())),
    ),
  );

  return async () => {
    shadows.off("publish", onPublication);
    if (mqtt.broker.closed) return;
    await Promise.all(
      SHADOW_REQUEST_FILTERS.map(
        (filter) => new Promise<void>((resolve) => mqtt.broker.unsubscribe(filter, deliver, () => resolve())),
      ),
    );
  };
}
