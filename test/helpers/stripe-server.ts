/**
 * A small local HTTP server standing in for Stripe's API (Stripe's servers cannot run here; no
 * stripe-mock binary exists on this machine). The real `stripe` SDK is pointed at it with its
 * `host`/`port`/`protocol` options (STRIPE_API_URL) and gets Stripe's published fixture objects
 * (stripe-fixtures.ts) back, with the ids, customer, price and status the request implies. It
 * records every request (path, form parameters, Idempotency-Key) and, like Stripe, answers a
 * repeated Idempotency-Key with the first answer.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { STRIPE_FIXTURES } from "./stripe-fixtures.ts";

export interface StripeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
}

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export interface StripeServer {
  url: string;
  requests: StripeRequest[];
  /** The status the next created or updated subscription comes back with. */
  nextSubscriptionStatus: "active" | "incomplete" | "trialing";
  customers: Map<string, Json>;
  subscriptions: Map<string, Json>;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startStripeServer(): Promise<StripeServer> {
  // Ids unique across servers, as Stripe's are: every billing test file starts its own server, and
  // they all share the run's one DynamoDB Local, where a customer id is claimed by one tenant
  // (G#STRIPE#CUS#<id>). A per-file counter alone gave two files the same customer ids (409).
  const serverTag = randomBytes(5).toString("hex");
  let seq = 0;
  const nextId = (prefix: string) => `${prefix}_test${serverTag}${String(++seq).padStart(6, "0")}`;
  const replies = new Map<string, { status: number; body: Json }>();
  const state: Omit<StripeServer, "url" | "stop"> = {
    requests: [],
    nextSubscriptionStatus: "active",
    customers: new Map(),
    subscriptions: new Map(),
  };

  const subscriptionObject = (id: string, customer: string, price: string, itemId: string): Json => {
    const sub = clone(STRIPE_FIXTURES.subscription) as unknown as Json & { items: { data: Json[] } };
    const now = Math.floor(Date.now() / 1000);
    const status = state.nextSubscriptionStatus;
    const item = sub.items.data[0] as Json & { price: Json };
    Object.assign(item, { id: itemId, subscription: id, created: now });
    Object.assign(item.price, { id: price });
    const invoice = clone(STRIPE_FIXTURES.invoice) as unknown as Json;
    Object.assign(invoice, {
      id: nextId("in"),
      customer,
      status: status === "incomplete" ? "open" : "paid",
      confirmation_secret:
        status === "incomplete" ? { client_secret: `pi_3DS_secret_${seq}`, type: "payment_intent" } : null,
    });
    return Object.assign(sub, {
      id,
      customer,
      status,
      created: now,
      canceled_at: null,
      ended_at: null,
      cancel_at: null,
      trial_end: status === "trialing" ? now + 14 * 86_400 : null,
      latest_invoice: invoice,
    });
  };

  const route = (method: string, path: string, p: Record<string, string>): { status: number; body: Json } => {
    const customerPath = path.match(/^\/v1\/customers\/([^/]+)$/);
    const attachPath = path.match(/^\/v1\/payment_methods\/([^/]+)\/attach$/);
    const subscriptionPath = path.match(/^\/v1\/subscriptions\/([^/]+)$/);
    if (method === "POST" && path === "/v1/customers") {
      const c = Object.assign(clone(STRIPE_FIXTURES.customer) as unknown as Json, {
        id: nextId("cus"),
        name: p.name ?? null,
        metadata: { tenant_id: p["metadata[tenant_id]"] ?? "" },
      });
      state.customers.set(String(c.id), c);
      return { status: 200, body: c };
    }
    if (method === "POST" && customerPath) {
      const c = state.customers.get(customerPath[1] ?? "");
      if (!c) return notFound("customer", customerPath[1]);
      if (p["invoice_settings[default_payment_method]"]) {
        c.invoice_settings = { default_payment_method: p["invoice_settings[default_payment_method]"] };
      }
      return { status: 200, body: c };
    }
    if (method === "POST" && attachPath) {
      const pm = Object.assign(clone(STRIPE_FIXTURES.payment_method) as unknown as Json, {
        id: attachPath[1],
        customer: p.customer,
      });
      return { status: 200, body: pm };
    }
    if (method === "POST" && path === "/v1/subscriptions") {
      const customer = p.customer ?? "";
      if (!state.customers.has(customer)) return notFound("customer", customer);
      const sub = subscriptionObject(nextId("sub"), customer, p["items[0][price]"] ?? "", nextId("si"));
      state.subscriptions.set(String(sub.id), sub);
      return { status: 200, body: sub };
    }
    if (subscriptionPath) {
      const existing = state.subscriptions.get(subscriptionPath[1] ?? "");
      if (!existing) return notFound("subscription", subscriptionPath[1]);
      if (method === "DELETE") {
        Object.assign(existing, { status: "canceled", canceled_at: Math.floor(Date.now() / 1000) });
        return { status: 200, body: existing };
      }
      const items = existing.items as { data: (Json & { id: string })[] };
      const itemId = p["items[0][id]"] ?? items.data[0]?.id ?? "";
      const sub = subscriptionObject(
        String(existing.id),
        String(existing.customer),
        p["items[0][price]"] ?? "",
        itemId,
      );
      state.subscriptions.set(String(sub.id), sub);
      return { status: 200, body: sub };
    }
    if (method === "POST" && path === "/v1/checkout/sessions") {
      const id = nextId("cs");
      return {
        status: 200,
        body: Object.assign(clone(STRIPE_FIXTURES["checkout.session"]) as unknown as Json, {
          id,
          customer: p.customer,
          client_reference_id: p.client_reference_id ?? null,
          mode: "subscription",
          success_url: p.success_url,
          cancel_url: p.cancel_url,
          url: `https://checkout.stripe.com/c/pay/${id}`,
        }),
      };
    }
    if (method === "POST" && path === "/v1/billing_portal/sessions") {
      const id = nextId("bps");
      return {
        status: 200,
        body: Object.assign(clone(STRIPE_FIXTURES["billing_portal.session"]) as unknown as Json, {
          id,
          customer: p.customer,
          return_url: p.return_url,
          url: `https://billing.stripe.com/p/session/${id}`,
        }),
      };
    }
    if (method === "POST" && path === "/v1/billing/meter_events") {
      return {
        status: 200,
        body: Object.assign(clone(STRIPE_FIXTURES["billing.meter_event"]) as unknown as Json, {
          event_name: p.event_name,
          identifier: p.identifier,
          payload: { stripe_customer_id: p["payload[stripe_customer_id]"], value: p["payload[value]"] },
        }),
      };
    }
    return notFound("route", `${method} ${path}`);
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const raw = await readBody(req);
    const params = Object.fromEntries(new URLSearchParams(req.method === "GET" ? url.search : raw));
    const idempotencyKey = req.headers["idempotency-key"] as string | undefined;
    state.requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      params,
      idempotencyKey,
      authorization: req.headers.authorization,
    });
    const replayKey = idempotencyKey && req.method === "POST" ? `${url.pathname}|${idempotencyKey}` : undefined;
    const reply = (replayKey && replies.get(replayKey)) || route(req.method ?? "GET", url.pathname, params);
    if (replayKey && !replies.has(replayKey)) replies.set(replayKey, reply);
    res.writeHead(reply.status, { "Content-Type": "application/json", "Request-Id": `req_${seq}` });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

function notFound(what: string, id: string | undefined) {
  return {
    status: 404,
    body: { error: { type: "invalid_request_error", code: "resource_missing", message: `No such ${what}: '${id}'` } },
  };
}
