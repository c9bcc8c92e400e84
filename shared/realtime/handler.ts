/**
 * The Lambda handlers of the WebSocket layer, written directly (the HTTP route kit is for HTTP)
 * with the kit's log, config and errors:
 *
 * - `authorizerHandler`: API Gateway's REQUEST authorizer on `$connect` (one for the three
 *   streams): Allow with the caller in the context, Deny (403) or "Unauthorized" (401).
 * - `websocketHandler(stream)`: the stream's `$connect` (store the connection), `$default`
 *   (client messages) and `$disconnect` (forget it); functions/realtime/ binds it to its row.
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyResultV2,
  APIGatewayProxyWebsocketEventV2,
  APIGatewayRequestAuthorizerEvent,
} from "aws-lambda";
import { isAppError } from "#shared/kit/errors.ts";
import { log } from "#shared/kit/log.ts";
import { authorizeConnection, type ConnectionContext, mayOpen, offersSubprotocol } from "./authorize.ts";
import { callbackEndpoint, clientMessage, closedConnection, openConnection } from "./connections.ts";
import { type StreamName, SUBPROTOCOL } from "./streams.ts";

/** A WebSocket route event: API Gateway's, plus the authorizer context and (on `$connect`) the handshake headers. */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string | undefined>;
  requestContext: APIGatewayProxyWebsocketEventV2["requestContext"] & {
    authorizer?: Partial<Record<keyof ConnectionContext, string | number>>;
  };
};

export type WebSocketHandler = (event: WebSocketEvent) => Promise<APIGatewayProxyResultV2>;

function contextOf(event: WebSocketEvent): ConnectionContext | undefined {
  const a = event.requestContext.authorizer;
  if (!a?.tenantId) return undefined;
  return {
    tenantId: String(a.tenantId),
    userId: Number(a.userId),
    username: String(a.username ?? ""),
    apiKeyId: String(a.apiKeyId ?? ""),
    recipients: String(a.recipients ?? ""),
    streams: String(a.streams ?? ""),
  };
}

export function websocketHandler(stream: StreamName): WebSocketHandler {
  return async (event) => {
    const rc = event.requestContext;
    const ctx = contextOf(event);
    // Without the authorizer's context nothing is known about the caller: refuse.
    if (!ctx) return { statusCode: 401, body: "Unauthorized" };
    const endpoint = callbackEndpoint(rc.domainName, rc.stage);
    switch (rc.routeKey) {
      case "$connect": {
        if (!mayOpen(ctx, stream)) return { statusCode: 403, body: "Forbidden" };
        await openConnection(stream, ctx, rc.connectionId, endpoint);
        log.info("realtime: connected", { stream, tenantId: ctx.tenantId, connectionId: rc.connectionId });
        // A client that offered the `warden` subprotocol (token in Sec-WebSocket-Protocol) must see it selected.
        return offersSubprotocol(event.headers ?? {})
          ? { statusCode: 200, headers: { "Sec-WebSocket-Protocol": SUBPROTOCOL } }
          : { statusCode: 200 };
      }
      case "$disconnect":
        await closedConnection(ctx.tenantId, rc.connectionId);
        return { statusCode: 200 };
      default: {
        await clientMessage(stream, ctx.tenantId, rc.connectionId, endpoint, event.body ?? "");
        return { statusCode: 200 };
      }
    }
  };
}

const policy = (effect: "Allow" | "Deny", resource: string) => ({
  Version: "2012-10-17",
  Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
});

/**
 * The REQUEST authorizer. API Gateway answers 401 to the client when this throws "Unauthorized",
 * 403 on a Deny; the context of an Allow reaches `$connect`, `$default` and `$disconnect`.
 */
export async function authorizerHandler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const ip = event.requestContext?.identity?.sourceIp ?? "0.0.0.0";
  try {
    const ctx = await authorizeConnection({
      query: event.queryStringParameters ?? {},
      headers: event.headers ?? {},
      ip,
    });
    return {
      principalId: `${ctx.tenantId}:${ctx.userId}`,
      policyDocument: policy("Allow", event.methodArn),
      context: { ...ctx },
    };
  } catch (e) {
    if (!isAppError(e)) throw e;
    log.info("realtime: connection refused", { status: e.statusCode, reason: e.message, ip });
    if (e.statusCode === 401) throw new Error("Unauthorized");
    return { principalId: "refused", policyDocument: policy("Deny", event.methodArn) };
  }
}
