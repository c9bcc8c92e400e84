/**
 * Local mode's table stream (infra/local/table-stream.ts): DynamoDB Local's Streams API feeds the
 * "table-stream" workers of infra/workers.ts with the records their Lambda filter patterns match,
 * so an outgoing webhook is delivered under the local platform as it is in AWS.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The receiver listens on loopback: the operator's switch that local mode and tests turn on.
vi.hoisted(() => {
  process.env.WARDEN_WEBHOOK_ALLOW_PRIVATE = "true";
});

import { matchesFilter, startTableStream, type TableStream, tableStreamWorkers } from "#infra/local/table-stream.ts";
import { workers } from "#infra/workers.ts";
import { tableName } from "#shared/table/client.ts";
import { configureWebhook } from "#shared/webhooks/settings.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

const root = resolve(import.meta.dirname, "../../..");

describe("matchesFilter (Lambda's filter patterns, the subset the workers use)", () => {
  const record = {
    eventName: "INSERT",
    dynamodb: { NewImage: { type: { S: "Audit" }, PK: { S: "T#x#AUDIT" }, n: { N: "5" } } },
  };
  it("matches literal alternatives in nested objects, and refuses what differs or is missing", () => {
    expect(matchesFilter(record, { eventName: ["INSERT"], dynamodb: { NewImage: { type: { S: ["Audit"] } } } })).toBe(
      true,
    );
    expect(matchesFilter(record, { eventName: ["MODIFY", "INSERT"] })).toBe(true);
    expect(matchesFilter(record, { eventName: ["MODIFY"] })).toBe(false);
    expect(matchesFilter(record, { dynamodb: { NewImage: { type: { S: ["User"] } } } })).toBe(false);
    expect(matchesFilter(record, { dynamodb: { OldImage: { type: { S: ["Audit"] } } } })).toBe(false);
  });
  it("knows prefix, exists, anything-but and numeric rules", () => {
    expect(matchesFilter(record, { dynamodb: { NewImage: { PK: { S: [{ prefix: "T#x" }] } } } })).toBe(true);
    expect(matchesFilter(record, { dynamodb: { NewImage: { PK: { S: [{ prefix: "G#" }] } } } })).toBe(false);
    expect(matchesFilter(record, { dynamodb: { NewImage: { gone: [{ exists: false }] } } })).toBe(true);
    expect(matchesFilter(record, { dynamodb: { NewImage: { type: [{ exists: true }] } } })).toBe(true);
    expect(matchesFilter(record, { eventName: [{ "anything-but": ["REMOVE"] }] })).toBe(true);
    expect(matchesFilter(record, { eventName: [{ "anything-but": ["INSERT"] }] })).toBe(false);
    expect(matchesFilter(record, { dynamodb: { NewImage: { n: { N: [{ numeric: [">", 3, "<=", 5] }] } } } })).toBe(
      true,
    );
    expect(matchesFilter(record, { dynamodb: { NewImage: { n: { N: [{ numeric: [">", 5] }] } } } })).toBe(false);
  });
  it("refuses a rule it does not know rather than guessing", () => {
    expect(() => matchesFilter(record, { eventName: [{ wildcard: "*" }] })).toThrow(/unsupported rule/);
  });
});

describe("the local table stream under the local platform", () => {
  let stream: TableStream;
  const mine = new Set<string>();
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let waiting: (() => void) | undefined;
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.end("ok");
      waiting?.();
    });
  });
  const tenantOf = (r: DynamoDBRecord) => /^T#([^#]+)/.exec((r.dynamodb?.Keys?.PK as { S?: string })?.S ?? "")?.[1];

  beforeAll(async () => {
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    const streamWorkers = await tableStreamWorkers(root, workers);
    // Every table-stream worker of the list is fed, each through its own filters.
    expect(streamWorkers.map((w) => w.id)).toEqual(
      workers.filter((w) => w.trigger === "table-stream").map((w) => w.id),
    );
    stream = await startTableStream({
      endpoint: process.env.DYNAMODB_ENDPOINT as string,
      tableName,
      workers: streamWorkers,
      select: (r) => mine.has(tenantOf(r) ?? ""),
    });
  });
  afterAll(async () => {
    await stream?.stop();
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });

  it("delivers the tenant's webhook for an audited sign-in, signed, once", async () => {
    const t = await newTenant("stream-hook");
    mine.add(t.tenantId);
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await configureWebhook(t.tenantId, { url, enabled: true, events: ["login"] }, { allowPrivate: true });
    const arrived = new Promise<void>((r) => {
      waiting = r;
    });

    const login = await call("POST", "/api/auth/login", {
      body: { username: t.username, password: t.password },
      ip: freshIp(),
    });
    expect(login.status).toBe(200);
    await arrived;
    await stream.drain();

    expect(received).toHaveLength(1);
    const payload = JSON.parse(received[0]?.body ?? "{}");
    expect(payload).toMatchObject({ type: "login", data: { user: t.username } });
    expect(received[0]?.headers["x-webhook-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}/);
  });
});
