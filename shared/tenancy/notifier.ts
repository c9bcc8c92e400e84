/**
 * The notifier port: how Warden tells a user something (welcome mail, password reset, account
 * lock, a sign-in code). Two adapters, chosen by `NOTIFIER`:
 * - `outbox` (default, local mode and tests): each message is an item in the tenant's outbox
 *   partition `T#<tenant>#OUTBOX`, kept for a week, readable with `readOutbox()`;
 * - `aws`: email through SES SendEmail, SMS through SNS Publish.
 * A failed delivery never undoes the change that caused it: `send` answers false and logs.
 */
import { randomUUID } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { config } from "#shared/kit/config.ts";
import { log } from "#shared/kit/log.ts";
import { db, tableName } from "#shared/table/client.ts";
import { tenantPk } from "#shared/table/keys.ts";
import { queryAll } from "#shared/table/repo.ts";

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

const OUTBOX_RETENTION_S = 7 * 86_400;
const outboxPk = (tenantId: string) => `${tenantPk(tenantId)}#OUTBOX`;

const outboxNotifier: Notifier = {
  async send(n) {
    const at = new Date().toISOString();
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          PK: outboxPk(n.tenantId),
          SK: `MSG#${at}#${randomUUID()}`,
          type: "OutboxMessage",
          ...n,
          createdAt: at,
          expiresAt: Math.floor(Date.now() / 1000) + OUTBOX_RETENTION_S,
        },
      }),
    );
    return true;
  },
};

/**
 * The SES and SNS clients come with the Lambda runtime and are not dependencies of this package,
 * so they are imported by a computed name (the bundler leaves it alone) and typed loosely here,
 * at this boundary only.
 */
interface LooseClient {
  send(command: unknown): Promise<unknown>;
}
type LooseModule = Record<string, new (input: object) => unknown>;
const loadModule = (name: string): Promise<LooseModule> => import(name) as Promise<LooseModule>;

let ses: Promise<{ client: LooseClient; Command: new (input: object) => unknown }> | undefined;
let sns: Promise<{ client: LooseClient; Command: new (input: object) => unknown }> | undefined;

function client(module: string, clientName: string, commandName: string) {
  return loadModule(module).then((m) => {
    const Client = m[clientName];
    const Command = m[commandName];
    if (!Client || !Command) throw new Error(`${module} has no ${clientName}/${commandName}`);
    return { client: new Client({ region: config.AWS_REGION }) as LooseClient, Command };
  });
}

const awsNotifier: Notifier = {
  async send(n) {
    if (n.channel === "email") {
      ses ??= client("@aws-sdk/client-ses", "SESClient", "SendEmailCommand");
      const { client: c, Command } = await ses;
      await c.send(
        new Command({
          Source: config.NOTIFIER_FROM_EMAIL,
          Destination: { ToAddresses: [n.to] },
          Message: { Subject: { Data: n.subject }, Body: { Text: { Data: n.body } } },
        }),
      );
    } else {
      sns ??= client("@aws-sdk/client-sns", "SNSClient", "PublishCommand");
      const { client: c, Command } = await sns;
      await c.send(new Command({ PhoneNumber: n.to, Message: n.body }));
    }
    return true;
  },
};

const adapter: Notifier = config.NOTIFIER === "aws" ? awsNotifier : outboxNotifier;

export const notifier: Notifier = {
  async send(n) {
    try {
      return await adapter.send(n);
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

export const OutboxMessage = z.object({
  channel: z.enum(["email", "sms"]),
  to: z.string(),
  subject: z.string(),
  body: z.string(),
  kind: z.string(),
  createdAt: z.string(),
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;

/** The local outbox of a tenant, oldest first (local mode and tests). */
export async function readOutbox(tenantId: string): Promise<OutboxMessage[]> {
  const items = await queryAll({ tenantId, pk: outboxPk(tenantId), consistent: true });
  return items.map((i) => OutboxMessage.parse(i));
}
