/**
 * Local IoT Core: an MQTT broker (plain TCP) and the HTTP data plane, both backed by one shadow
 * service. Pass `shadows` to keep the shadow store across a restart (the broker-restart test does).
 */

import { join } from "node:path";
import { type DataPlaneHttp, startDataPlaneHttp } from "./data-plane-http.ts";
import { bridgeShadowsToMqtt, type LocalMqttBroker, startMqttBroker } from "./mqtt-broker.ts";
import { ShadowService } from "./shadow-service.ts";

export { type LocalMqttBroker, startMqttBroker } from "./mqtt-broker.ts";
export type { ShadowDocument, ShadowError, ShadowPublication, ShadowResult } from "./shadow-service.ts";
export { SHADOW_LIMITS, ShadowService } from "./shadow-service.ts";
export { shadowTopic, shadowTopicPrefix } from "./shadow-topics.ts";

export interface LocalIotOptions {
  /** 0 or absent: an ephemeral port. */
  mqttPort?: number;
  /** 0 or absent: an ephemeral port. */
  httpPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** An existing store, e.g. to restart the broker without losing shadows. */
  shadows?: ShadowService;
}

export interface LocalIot {
  /** `mqtt://host:port` */
  mqttUrl: string;
  /** `http://host:port`: the `endpoint` for IoTDataPlaneClient and `--endpoint-url` for `aws iot-data`. */
  dataPlaneEndpoint: string;
  shadows: ShadowService;
  broker: LocalMqttBroker;
  http: DataPlaneHttp;
  stop(): Promise<void>;
}

export async function startLocalIot(opts: LocalIotOptions = {}): Promise<LocalIot> {
  const host = opts.host ?? "127.0.0.1";
  const shadows = opts.shadows ?? new ShadowService();
  const broker = await startMqttBroker({ port: opts.mqttPort ?? 0, host });
  let unbridge: (() => Promise<void>) | undefined;
  let http: DataPlaneHttp | undefined;
  try {
    unbridge = await bridgeShadowsToMqtt(broker, shadows);
    http = await startDataPlaneHttp({
      port: opts.httpPort ?? 0,
      host,
      shadows,
      publish: (topic, payload, publishOpts) => broker.publish(topic, payload, publishOpts),
    });
  } catch (e) {
    await unbridge?.();
    await broker.stop();
    throw e;
  }
  const started = http;
  const detach = unbridge;
  return {
    mqttUrl: broker.url,
    dataPlaneEndpoint: started.endpoint,
    shadows,
    broker,
    http: started,
    async stop() {
      await detach();
      await started.stop();
      await broker.stop();
    },
  };
}

/**
 * Points this process's platform code at a local IoT Core: the environment the shared code reads
 * once at import (so call this before importing any of it), and the local stand-in for the IoT
 * control plane in place of the AWS adapter. Local mode, the bench and the tests all go through here.
 */
export async function usePlatformWithLocalIot(iot: Pick<LocalIot, "dataPlaneEndpoint" | "mqttUrl">): Promise<void> {
  process.env.IOT_DATA_ENDPOINT = iot.dataPlaneEndpoint;
  process.env.MQTT_URL = iot.mqttUrl;
  const [{ useIotRegistry }, { localIotRegistry }] = await Promise.all([
    import("#shared/iot/registry.ts"),
    import("./registry-local.ts"),
  ]);
  useIotRegistry(localIotRegistry);
  await useSettlingWorkflows();
}

/**
 * Settings changes start the fleet-sync workflow (shared/fleet/fan-out.ts). Where nothing else
 * chose a workflow runner (tests of other areas, tools), the platform with the local IoT Core runs
 * the synthesized definitions in process and lets `start` answer once the execution has ended, so
 * a caller that reads a shadow right after a change finds it written. Local mode (`npm start`), the
 * fleet bench and the fan-out tests install the asynchronous runner afterwards
 * (`useWorkflowRunner`), where the API answers before the fan-out ends.
 */
async function useSettlingWorkflows(): Promise<void> {
  const [{ createLocalRunner }, { useWorkflowRunner }] = await Promise.all([
    import("../workflows/runner-local.ts"),
    import("#shared/workflows/engine.ts"),
  ]);
  const runner = createLocalRunner({ root: join(import.meta.dirname, "../../..") });
  useWorkflowRunner({
    ...runner,
    async start(workflow, name, input) {
      await runner.start(workflow, name, input);
      await runner.settled(name);
    },
  });
}
