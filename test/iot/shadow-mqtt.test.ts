import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalIot, startLocalIot } from "#infra/local/iot/index.ts";
import { connectInbox, type Inbox } from "./support/mqtt-inbox.ts";

const prefix = (thing: string, shadow: string) => `$aws/things/${thing}/shadow/name/${shadow}`;

let iot: LocalIot;
let device: Inbox;

beforeAll(async () => {
  iot = await startLocalIot();
  device = await connectInbox(iot.mqttUrl, [`${prefix("gw-mqtt", "firewall")}/#`, `${prefix("gw-mqtt", "ssh")}/#`]);
});

afterAll(async () => {
  await device?.close();
  await iot?.stop();
});

describe("local IoT Core over MQTT", () => {
  it("answers a get of a missing shadow on /get/rejected with 404 and the clientToken", async () => {
    const p = prefix("gw-mqtt", "ssh");

    await device.publish(`${p}/get`, { clientToken: "get-1" });
    const reply = await device.next(`${p}/get/rejected`);

    expect(reply.json).toMatchObject({ code: 404, message: "No shadow exists with name: 'ssh'", clientToken: "get-1" });
  });

  it("accepts an update on /update/accepted, then publishes documents and the delta", async () => {
    const p = prefix("gw-mqtt", "firewall");

    await device.publish(`${p}/update`, {
      state: { desired: { config_version: 1, enabled: true } },
      clientToken: "u-1",
    });
    const acceptedMsg = await device.next(`${p}/update/accepted`);
    const documents = await device.next(`${p}/update/documents`);
    const delta = await device.next(`${p}/update/delta`);

    expect(acceptedMsg.json).toMatchObject({
      state: { desired: { config_version: 1 } },
      version: 1,
      clientToken: "u-1",
    });
    expect(documents.json).toMatchObject({ current: { state: { desired: { enabled: true } }, version: 1 } });
    expect(delta.json).toMatchObject({ version: 1, state: { config_version: 1, enabled: true } });
  });

  it("returns the full document with its delta on /get/accepted", async () => {
    const p = prefix("gw-mqtt", "firewall");

    await device.publish(`${p}/get`, "");
    const reply = await device.next(`${p}/get/accepted`);

    expect(reply.json).toMatchObject({ state: { desired: { config_version: 1 }, delta: { config_version: 1 } } });
  });

  it("reports errors on /update/rejected with code, message, timestamp and clientToken", async () => {
    const p = prefix("gw-mqtt", "firewall");

    await device.publish(`${p}/update`, { state: { reported: { x: 1 } }, version: 999, clientToken: "stale" });
    const conflict = await device.next(`${p}/update/rejected`);
    await device.publish(`${p}/update`, "{ broken");
    const malformed = await device.next(`${p}/update/rejected`);

    expect(conflict.json).toMatchObject({ code: 409, message: "Version conflict", clientToken: "stale" });
    expect(conflict.json).toHaveProperty("timestamp");
    expect(malformed.json).toMatchObject({ code: 400, message: "Invalid JSON" });
  });

  it("broadcasts updates made through the service (the HTTP path) to MQTT subscribers", async () => {
    const p = prefix("gw-mqtt", "ssh");

    iot.shadows.update("gw-mqtt", "ssh", { state: { desired: { port: 2222 } } });
    const delta = await device.next(`${p}/update/delta`);

    expect(delta.json).toMatchObject({ state: { port: 2222 } });
  });

  it("deletes a shadow on /delete and answers /delete/accepted", async () => {
    const p = prefix("gw-mqtt", "ssh");

    await device.publish(`${p}/delete`, { clientToken: "d-1" });
    const reply = await device.next(`${p}/delete/accepted`);
    await device.publish(`${p}/delete`, "");
    const again = await device.next(`${p}/delete/rejected`);

    expect(reply.json).toMatchObject({ clientToken: "d-1" });
    expect(again.json).toMatchObject({ code: 404 });
  });
});
