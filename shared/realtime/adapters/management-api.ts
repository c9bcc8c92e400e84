/**
 * The fan-out port's adapter: API Gateway's `@connections` management API
 * (PostToConnection / DeleteConnection), one client per callback endpoint. In AWS the endpoint is
 * the WebSocket API's `https://<id>.execute-api.<region>.amazonaws.com/<stage>`; in local mode it is
 * the local server's `@connections` emulator (infra/local/websocket-server.ts), so the same code
 * (signing, 410 handling) runs in both.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { config } from "#shared/kit/config.ts";

const clients = new Map<string, ApiGatewayManagementApiClient>();

function clientFor(endpoint: string): ApiGatewayManagementApiClient {
  let c = clients.get(endpoint);
  if (!c) {
    const local = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(endpoint);
    c = new ApiGatewayManagementApiClient({
      endpoint,
      region: config.AWS_REGION,
      maxAttempts: 2,
      // The local emulator accepts any signature; a deployment signs with the function's role.
      ...(local ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
    });
    clients.set(endpoint, c);
  }
  return c;
}

export type PostOutcome = "sent" | "gone";

export async function postToConnection(endpoint: string, connectionId: string, data: string): Promise<PostOutcome> {
  try {
    await clientFor(endpoint).send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(data) }),
    );
    return "sent";
  } catch (e) {
    if (
      e instanceof GoneException ||
      (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410
    )
      return "gone";
    throw e;
  }
}

/** Closes a connection from the server side (a client that misbehaves). Already gone is fine. */
export async function closeConnection(endpoint: string, connectionId: string): Promise<void> {
  try {
    await clientFor(endpoint).send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  } catch (e) {
    if (!(e instanceof GoneException)) throw e;
  }
}
