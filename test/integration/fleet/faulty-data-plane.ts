/**
 * Fault injection for the fan-out tests: an HTTP proxy in front of the local IoT data plane
 * (infra/local/iot/data-plane-http.ts) that the platform's IoTDataPlaneClient talks to. For a thing
 * it can answer shadow updates (POST /things/{thing}/shadow) with IoT Core's throttling error
 * (429, `x-amzn-ErrorType: ThrottlingException`) a given number of times, or refuse them
 * (401 UnauthorizedException, which the SDK does not retry). Everything else is forwarded as is, so
 * the SDK, its own retries and the local shadow service are the real ones.
 */
import { createServer, request } from "node:http";

export interface Faults {
  /** Shadow updates of this thing still to be answered 429 ThrottlingException. */
  throttle: Map<string, number>;
  /** Things whose shadow updates are refused (401) until removed. */
  refuse: Set<string>;
  /** Throttling answers given, per thing. */
  throttled: Map<string, number>;
}

export async function startFaultyDataPlane(target: string) {
  const faults: Faults = { throttle: new Map(), refuse: new Set(), throttled: new Map() };
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const [root, thing, shadow] = url.pathname.split("/").slice(1).map(decodeURIComponent);
    const update = req.method === "POST" && root === "things" && shadow === "shadow" && thing !== undefined;
    const fail = (status: number, type: string, message: string) => {
      req.resume();
      res.writeHead(status, { "content-type": "application/json", "x-amzn-ErrorType": `${type}:` });
      res.end(JSON.stringify({ message }));
    };
    if (update && (faults.throttle.get(thing) ?? 0) > 0) {
      faults.throttle.set(thing, (faults.throttle.get(thing) ?? 0) - 1);
      faults.throttled.set(thing, (faults.throttled.get(thing) ?? 0) + 1);
      return fail(429, "ThrottlingException", "Rate exceeded");
    }
    if (update && faults.refuse.has(thing)) return fail(401, "UnauthorizedException", "injected: not authorized");
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => fail(502, "InternalFailureException", "upstream failed"));
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    faults,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
