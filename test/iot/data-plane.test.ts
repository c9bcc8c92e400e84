import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  ConflictException,
  DeleteThingShadowCommand,
  GetThingShadowCommand,
  InvalidRequestException,
  IoTDataPlaneClient,
  ListNamedShadowsForThingCommand,
  PublishCommand,
  RequestEntityTooLargeException,
  ResourceNotFoundException,
  UpdateThingShadowCommand,
} from "@aws-sdk/client-iot-data-plane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalIot, startLocalIot } from "#infra/local/iot/index.ts";
import { connectInbox, type Inbox } from "./support/mqtt-inbox.ts";

const run = promisify(execFile);
const awsCli = spawnSync("aws", ["--version"], { encoding: "utf8" });
const awsMissing = awsCli.error ? `skipped: the aws CLI is not on PATH (${awsCli.error.message})` : "";

let iot: LocalIot;
let client: IoTDataPlaneClient;
let device: Inbox;
let scratch: string;

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const text = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? []).toString("utf8"));

beforeAll(async () => {
  iot = await startLocalIot();
  client = new IoTDataPlaneClient({
    endpoint: iot.dataPlaneEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  device = await connectInbox(iot.mqttUrl, ["$aws/things/gw-http/shadow/name/+/update/delta", "warden/acme/gw-http/#"]);
  scratch = mkdtempSync(join(tmpdir(), "warden-iot-cli-"));
});

afterAll(async () => {
  client?.destroy();
  await device?.close();
  await iot?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("HTTP data plane with @aws-sdk/client-iot-data-plane", () => {
  it("updates a named shadow and returns the accepted document; the device receives the delta over MQTT", async () => {
    const out = await client.send(
      new UpdateThingShadowCommand({
        thingName: "gw-http",
        shadowName: "firewall",
        payload: json({ state: { desired: { config_version: 7 } }, clientToken: "sdk-1" }),
      }),
    );
    const delta = await device.next("$aws/things/gw-http/shadow/name/firewall/update/delta");

    expect(text(out.payload)).toMatchObject({
      state: { desired: { config_version: 7 } },
      version: 1,
      clientToken: "sdk-1",
    });
    expect(delta.json).toMatchObject({ state: { config_version: 7 } });
  });

  it("gets the shadow document with desired, reported, delta, metadata and version", async () => {
    await client.send(
      new UpdateThingShadowCommand({
        thingName: "gw-http",
        shadowName: "firewall",
        payload: json({ state: { reported: { config_version: 6 } } }),
      }),
    );

    const out = await client.send(new GetThingShadowCommand({ thingName: "gw-http", shadowName: "firewall" }));

    expect(text(out.payload)).toMatchObject({
      state: { desired: { config_version: 7 }, reported: { config_version: 6 }, delta: { config_version: 7 } },
      metadata: { desired: { config_version: { timestamp: expect.any(Number) } } },
      version: 2,
    });
  });

  it("raises ResourceNotFoundException for a shadow that does not exist", async () => {
    const call = client.send(new GetThingShadowCommand({ thingName: "gw-http", shadowName: "certificates" }));

    await expect(call).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(call).rejects.toThrow("No shadow exists with name: 'certificates'");
  });

  it("raises ConflictException when the update's version is stale", async () => {
    const call = client.send(
      new UpdateThingShadowCommand({
        thingName: "gw-http",
        shadowName: "firewall",
        payload: json({ state: { desired: { a: 1 } }, version: 1 }),
      }),
    );

    await expect(call).rejects.toBeInstanceOf(ConflictException);
  });

  it("raises RequestEntityTooLargeException for a state over 8 KB", async () => {
    const call = client.send(
      new UpdateThingShadowCommand({
        thingName: "gw-http",
        shadowName: "ssh",
        payload: json({ state: { desired: { banner_message: "x".repeat(9000) } } }),
      }),
    );

    await expect(call).rejects.toBeInstanceOf(RequestEntityTooLargeException);
  });

  it("raises InvalidRequestException for malformed JSON and for a missing state", async () => {
    const malformed = client.send(
      new UpdateThingShadowCommand({ thingName: "gw-http", shadowName: "ssh", payload: Buffer.from("{oops") }),
    );
    const noState = client.send(
      new UpdateThingShadowCommand({ thingName: "gw-http", shadowName: "ssh", payload: json({ desired: {} }) }),
    );

    await expect(malformed).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(noState).rejects.toThrow("Missing required node: state");
  });

  it("lists named shadows and deletes one", async () => {
    await client.send(
      new UpdateThingShadowCommand({
        thingName: "gw-http",
        shadowName: "ssh",
        payload: json({ state: { desired: { port: 22 } } }),
      }),
    );

    const before = await client.send(new ListNamedShadowsForThingCommand({ thingName: "gw-http" }));
    await client.send(new DeleteThingShadowCommand({ thingName: "gw-http", shadowName: "ssh" }));
    const after = await client.send(new ListNamedShadowsForThingCommand({ thingName: "gw-http" }));

    expect(before.results).toEqual(["firewall", "ssh"]);
    expect(after.results).toEqual(["firewall"]);
  });

  it("publishes to an MQTT topic", async () => {
    await client.send(
      new PublishCommand({ topic: "warden/acme/gw-http/commands", qos: 1, payload: json({ hello: "gateway" }) }),
    );

    const message = await device.next("warden/acme/gw-http/commands");

    expect(message.json).toEqual({ hello: "gateway" });
  });

  it("routes a publish to a shadow's /update topic through the shadow service", async () => {
    await client.send(
      new PublishCommand({
        topic: "$aws/things/gw-http/shadow/name/access/update",
        qos: 1,
        payload: json({ state: { desired: { locked: true } } }),
      }),
    );

    const delta = await device.next("$aws/things/gw-http/shadow/name/access/update/delta");

    expect(delta.json).toMatchObject({ state: { locked: true } });
  });

  it("answers errors with the IoT error type header and a JSON message", async () => {
    const res = await fetch(`${iot.dataPlaneEndpoint}/things/gw-http/shadow?name=nothing`);

    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException:");
    expect(await res.json()).toEqual({ message: "No shadow exists with name: 'nothing'" });
  });
});

describe("HTTP data plane with the AWS CLI", () => {
  it.skipIf(awsMissing !== "")(
    `aws iot-data get-thing-shadow writes the shadow document to the outfile ${awsMissing}`,
    async () => {
      await client.send(
        new UpdateThingShadowCommand({
          thingName: "gw-cli",
          shadowName: "firewall",
          payload: json({ state: { desired: { enabled: true } } }),
        }),
      );
      const outfile = join(scratch, "out.json");

      await run(
        "aws",
        [
          "iot-data",
          "get-thing-shadow",
          "--thing-name",
          "gw-cli",
          "--shadow-name",
          "firewall",
          "--endpoint-url",
          iot.dataPlaneEndpoint,
          outfile,
        ],
        {
          // CLI v1 reads AWS_DEFAULT_REGION, v2 also AWS_REGION.
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: "local",
            AWS_SECRET_ACCESS_KEY: "local",
            AWS_REGION: "us-east-1",
            AWS_DEFAULT_REGION: "us-east-1",
          },
          timeout: 20_000,
        },
      );

      expect(JSON.parse(readFileSync(outfile, "utf8"))).toMatchObject({
        state: { desired: { enabled: true } },
        version: 1,
      });
    },
  );
});
