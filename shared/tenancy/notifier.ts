/**
 * The notifier port: how Warden tells a user something (welcome mail, password reset, account
 * lock, a sign-in code). Two adapters, chosen once by `NOTIFIER`:
 * - `outbox` (default, local mode and tests): each message is an item in the tenant's outbox
 *   (db/outbox.ts), readable with `readOutbox()`;
 * - `aws`: email through SES, SMS through SNS (adapters/aws-notifier.ts, loaded only then).
 * A failed delivery never undoes the change that caused it: `send` answers false and logs.
 */
import { config } from "#shared/kit/config.ts";
import { log } from "#shared/kit/log.ts";
import { type OutboxMessage, putOutboxMessage, readOutbox } from "./db/outbox.ts";

export interface Notification {
  tenantId: string;
  channel: "email" | "sms";
  /** Email address or E.164 phone number. */
  to: string;
  subject: string;
  body: string;
  /** What the message is about: "welcome", "password_reset", "account_locked", "two_factor_code"… */
  kind: string;
}

export interface Notifier {
  /** True when the message was handed to the delivery channel. */
  send(n: Notification): Promise<boolean>;
}

const outboxNotifier: Notifier = {
  async send(n) {
    await putOutboxMessage(n);
    return true;
  },
};

let adapter: Promise<Notifier> | undefined;
/** The adapter, chosen on first use; the AWS one is only loaded when configured. */
const chosenAdapter = (): Promise<Notifier> =>
  (adapter ??=
    config.NOTIFIER === "aws"
      ? import("./adapters/aws-notifier.ts").then((m) => m.awsNotifier)
      : Promise.resolve(outboxNotifier));

export const notifier: Notifier = {
  async send(n) {
    try {
      return await (await chosenAdapter()).send(n);
    } catch (error) {
      log.error("notification failed", { tenantId: n.tenantId, kind: n.kind, channel: n.channel, error });
      return false;
    }
  },
};

/** Sends each message (a few at a time); answers how many were handed over. */
export async function notifyAll(messages: Notification[]): Promise<number> {
  let sent = 0;
  for (let i = 0; i < messages.length; i += 10) {
    const results = await Promise.all(messages.slice(i, i + 10).map((m) => notifier.send(m)));
    sent += results.filter(Boolean).length;
  }
  return sent;
}

/** Messages whose body carries a secret (a one-time code): listed, but their body is never shown again. */
const SECRET_KINDS = new Set(["two_factor_code"]);

/**
 * The outbox messages addressed to one person (any of their e-mail addresses or phone numbers;
 * e-mail compared without case), oldest first, as `/api/notifications` shows them. A message that
 * carried a one-time code keeps its subject but not its body. Empty with the AWS notifier.
 */
export async function notificationsFor(tenantId: string, addresses: readonly string[]): Promise<OutboxMessage[]> {
  const wanted = new Set(addresses.map((a) => a.toLowerCase()));
  if (wanted.size === 0) return [];
  const messages = await readOutbox(tenantId);
  return messages
    .filter((m) => wanted.has(m.to.toLowerCase()))
    .map((m) =>
      SECRET_KINDS.has(m.kind) ? { ...m, body: "(a one-time code; it is shown only where it was sent)" } : m,
    );
}
