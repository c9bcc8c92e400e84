/**
 * The fan-out through the AWS adapter (the `@connections` management API of API Gateway). AWS's
 * control plane cannot run here: its client is replaced by a mock (aws-sdk-client-mock), named so;
 * the connections live in the real table (DynamoDB Local).
 */
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { fanOut, openConnection, tenantConnections } from "#shared/realtime/connections.ts";
import { eventsOfStream } from "#shared/realtime/fanout.ts";
import type { RealtimeEvent } from "#shared/realtime/messages.ts";
import { newTenant } from "#test/helpers/api.ts";

const apiGatewayMock = mockClient(ApiGatewayManagementApiClient);
const ENDPOINT = "https://abc123.execute-api.eu-west-1.amazonaws.com/live";

const ctx = (tenantId: string) => ({
  tenantId,
  userId: 1,
  username: "admin",
  apiKeyId: "",
  recipients: "",
  streams: "events,logs,notifications",
});

const event = (tenantId: string, over: Partial<RealtimeEvent> = {}): RealtimeEvent => ({
  tenantId,
  stream: "events",
  type: "firewall_block",
  severity: "warning",
  timestamp: "2026-11-30T02:00:00.000Z",
  gatewayId: 3,
  data: { source_ip: "203.0.113.9" },
  ...over,
});

beforeEach(() => apiGatewayMock.reset());
afterAll(() => apiGatewayMock.restore());

describe("fan-out through API Gateway's @connections API (mocked)", () => {
  it("posts the spec's message shape to each connection of the tenant, and a 410 Gone deletes that connection", async () => {
    const t = await newTenant("fan-aws");
    const other = await newTenant("fan-aws-other");
    await openConnection("events", ctx(t.tenantId), "live-conn=", ENDPOINT);
    await openConnection("events", ctx(t.tenantId), "gone-conn=", ENDPOINT);
    await openConnection("events", ctx(other.tenantId), "other-conn=", ENDPOINT);
    apiGatewayMock
      .on(PostToConnectionCommand, { ConnectionId: "gone-conn=" })
      .rejects(new GoneException({ message: "Gone", $metadata: { httpStatusCode: 410 } }))
      .on(PostToConnectionCommand, { ConnectionId: "live-conn=" })
      .resolves({});

    const report = await fanOut([event(t.tenantId)]);

    expect(report).toEqual({ events: 1, sent: 1, gone: 1, failed: 0 });
    const posts = apiGatewayMock.commandCalls(PostToConnectionCommand);
    expect(posts.map((p) => p.args[0].input.ConnectionId).sort()).toEqual(["gone-conn=", "live-conn="]);
    const sent = JSON.parse(new TextDecoder().decode(posts[0]?.args[0].input.Data as Uint8Array));
    expect(sent).toEqual({
      type: "firewall_block",
      timestamp: "2026-11-30T02:00:00.000Z",
      severity: "warning",
      tenant: t.tenantId,
      gateway_id: 3,
      data: { source_ip: "203.0.113.9" },
    });
    expect((await tenantConnections(t.tenantId)).map((c) => c.connectionId)).toEqual(["live-conn="]);
    // The other tenant's connection was neither posted to nor touched.
    expect((await tenantConnections(other.tenantId)).map((c) => c.connectionId)).toEqual(["other-conn="]);
  });

  it("logs and skips a connection whose post fails otherwise, and still serves the rest", async () => {
    const t = await newTenant("fan-aws-err");
    await openConnection("events", ctx(t.tenantId), "a-conn=", ENDPOINT);
    await openConnection("events", ctx(t.tenantId), "b-conn=", ENDPOINT);
    apiGatewayMock
      .on(PostToConnectionCommand, { ConnectionId: "a-conn=" })
      .rejects(Object.assign(new Error("throttled"), { name: "LimitExceededException" }))
      .on(PostToConnectionCommand, { ConnectionId: "b-conn=" })
      .resolves({});
    const report = await fanOut([event(t.tenantId)]);
    expect(report).toMatchObject({ sent: 1, failed: 1, gone: 0 });
    expect(await tenantConnections(t.tenantId)).toHaveLength(2);
  });

  it("reads events from a stream batch: an audit INSERT of a lockout becomes an account_lockout for its tenant", () => {
    const events = eventsOfStream({
      Records: [
        {
          eventName: "INSERT",
          dynamodb: {
            NewImage: {
              PK: { S: "T#t-123#AUDIT#2026-11-30" },
              SK: { S: "x" },
              type: { S: "Audit" },
              id: { S: "a1" },
              event: { S: "Account Locked" },
              event_type: { S: "account_locked" },
              user: { S: "alice" },
              resource: { S: "auth" },
              status: { S: "success" },
              severity: { S: "high" },
              timestamp: { S: "2026-11-30T02:00:00.000Z" },
              details: { M: {} },
            },
          },
        },
        // Another item type the stream carries: nothing for the sockets.
        {
          eventName: "INSERT",
          dynamodb: { NewImage: { PK: { S: "T#t-123" }, SK: { S: "RATE#x" }, type: { S: "RateWindow" } } },
        },
      ],
    });
    expect(events.map((e) => [e.tenantId, e.stream, e.type, e.severity])).toEqual([
      ["t-123", "logs", "audit", "high"],
      ["t-123", "events", "account_lockout", "high"],
    ]);
  });
});
