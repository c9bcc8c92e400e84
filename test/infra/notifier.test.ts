/**
 * User notifications leave through SES/SNS only when the app is deployed with `-c notifier=aws`,
 * and then only from the routes that notify; by default they stay in the table's outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";
import { routeKey } from "#shared/kit/route.ts";
import { actionsOf, type SynthesizedWarden, statementsOfFunction, synthWarden } from "./synth-app.ts";

// A small slice of the table keeps this synth fast: one route that notifies, one that does not.
const notifying = routes.find((r) => r.path === "/cloud-integration/security/users/create");
const quiet = routes.find((r) => r.path === "/cloud-integration/security/users/delete");
if (!notifying || !quiet) throw new Error("route rows missing");
const slice = [notifying, quiet];

let aws: SynthesizedWarden;
let outbox: SynthesizedWarden;
beforeAll(async () => {
  [aws, outbox] = await Promise.all([
    synthWarden({
      routeFiles: { identity: slice },
      workers: [],
      settings: { notifier: "aws", notifierFromEmail: "noreply@example.com" },
    }),
    synthWarden({ routeFiles: { identity: slice }, workers: [] }),
  ]);
});
afterAll(async () => {
  await aws?.cleanup();
  await outbox?.cleanup();
});

function functionOf(w: SynthesizedWarden, description: string) {
  for (const stack of w.routeStacks) {
    const t = w.template(stack);
    const fns = Object.values(t.findResources("AWS::Lambda::Function", { Properties: { Description: description } }));
    if (fns[0]) return { template: t, fn: fns[0] };
  }
  throw new Error(`no function '${description}'`);
}
const actions = (w: SynthesizedWarden, d: string) =>
  statementsOfFunction(functionOf(w, d).template, d).flatMap(actionsOf);

describe("notifications", () => {
  it("with -c notifier=aws, let only notifying routes send through SES and SNS, from the configured sender", () => {
    const key = routeKey(notifying);
    expect(actions(aws, key)).toEqual(expect.arrayContaining(["ses:SendEmail", "sns:Publish"]));
    expect(functionOf(aws, key).fn.Properties.Environment.Variables).toMatchObject({
      NOTIFIER: "aws",
      NOTIFIER_FROM_EMAIL: "noreply@example.com",
    });
    expect(actions(aws, routeKey(quiet))).not.toContain("ses:SendEmail");
    expect(actions(aws, routeKey(quiet))).not.toContain("sns:Publish");
  });

  it("by default, keep notifications in the outbox and grant no SES or SNS at all", () => {
    const key = routeKey(notifying);
    expect(actions(outbox, key)).not.toContain("ses:SendEmail");
    expect(actions(outbox, key)).not.toContain("sns:Publish");
    expect(functionOf(outbox, key).fn.Properties.Environment.Variables.NOTIFIER).toBe("outbox");
  });
});
