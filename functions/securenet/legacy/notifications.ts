/**
 * GET /api/notifications (legacy) — the notifications Warden sent to the caller (the notifier's
 * outbox: messages addressed to the caller's e-mail address or phone number), newest first. With
 * the AWS notifier (SES/SNS) the messages leave the platform and the outbox stays empty.
 */

import * as z from "zod/mini";
import { NotificationsQuery } from "#shared/insights/schemas.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";
import { responseSchema } from "#shared/kit/text.ts";
import { notificationsFor } from "#shared/tenancy/notifier.ts";

const NotificationsResponse = /* @__PURE__ */ responseSchema(() =>
  z.strictObject({
    notifications: z.array(
      z.strictObject({
        channel: z.enum(["email", "sms"]),
        kind: z.string(),
        subject: z.string(),
        body: z.string(),
        created_at: z.iso.datetime({ offset: true }),
      }),
    ),
    total: z.number().check(z.int(), z.gte(0)),
  }),
);

export const endpoint = defineEndpoint(
  "GET /api/notifications",
  { query: NotificationsQuery, response: NotificationsResponse },
  async (req) => {
    const u = req.principal.user;
    const addresses = [u.email, u.phone].filter((a): a is string => typeof a === "string" && a.length > 0);
    const messages = await notificationsFor(req.principal.tenantId, addresses);
    const newest = messages.slice().reverse();
    return {
      notifications: newest.slice(0, req.query.limit).map((m) => ({
        channel: m.channel,
        kind: m.kind,
        subject: m.subject,
        body: m.body,
        created_at: m.createdAt,
      })),
      total: messages.length,
    };
  },
);
