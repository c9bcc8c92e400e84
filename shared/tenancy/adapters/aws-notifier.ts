/**
 * The notifier's AWS adapter (`NOTIFIER=aws`): email through SES SendEmail, SMS through SNS Publish.
 *
 * The SES and SNS clients come with the Lambda runtime and are not dependencies of this package,
 * so they are imported by a computed name (the bundler leaves it alone) and typed loosely here,
 * at this boundary only.
 */
import { config } from "#shared/kit/config.ts";

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

/** What this adapter needs of a notification (structurally the notifier port's `Notification`). */
interface Message {
  channel: "email" | "sms";
  to: string;
  subject: string;
  body: string;
}

export const awsNotifier = {
  async send(n: Message): Promise<boolean> {
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
