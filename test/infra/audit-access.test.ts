/**
 * The audit trail's IAM: request functions append records (one PutItem into a day partition, with
 * a record's attributes only) and can neither update nor delete a record nor touch the chain head
 * and checkpoints; the table-stream linker, fed only the audit inserts, links them.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRoutes } from "#infra/routes/audit.ts";
import { workers } from "#infra/workers.ts";
import { AUDIT_INSERT_ATTRIBUTES } from "#shared/audit/db/trail.ts";
import { routeKey } from "#shared/kit/route.ts";
import { actionsOf, type SynthesizedWarden, statementsOfFunction, synthWarden } from "./synth-app.ts";

const linker = workers.find((w) => w.id === "workers-audit-linker");
const readOnly = auditRoutes.find((r) => r.access.table === "RO" && r.path.endsWith("/audit/logs"));
let warden: SynthesizedWarden;
let routesTemplate: Template;
let workersTemplate: Template;

beforeAll(async () => {
  if (!linker || !readOnly) throw new Error("expected the audit linker worker and GET /audit/logs");
  warden = await synthWarden({ routeFiles: { audit: [readOnly] }, workers: [linker] });
  const [stack] = warden.routeStacks;
  if (!stack || !warden.workers) throw new Error("expected a route stack and a workers stack");
  routesTemplate = warden.template(stack);
  workersTemplate = warden.template(warden.workers);
}, 240_000);
afterAll(() => warden?.cleanup());

const writesOf = (statements: ReturnType<typeof statementsOfFunction>) =>
  statements.filter((s) =>
    actionsOf(s).some((a) => ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"].includes(a)),
  );

describe("audit trail access", () => {
  it("lets a read-only route only PutItem new records into day partitions, with record attributes only", () => {
    const statements = statementsOfFunction(routesTemplate, routeKey(readOnly as NonNullable<typeof readOnly>));
    const audit = writesOf(statements).filter((s) => JSON.stringify(s.Condition).includes("AUDIT"));
    expect(audit).toHaveLength(1);
    const [append] = audit;
    expect(actionsOf(append as NonNullable<typeof append>)).toEqual(["dynamodb:PutItem"]);
    expect(append?.Condition).toEqual({
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["T#*#AUDIT#*"] },
      "ForAllValues:StringEquals": { "dynamodb:Attributes": [...AUDIT_INSERT_ATTRIBUTES] },
    });
    // The chain fields and the head/checkpoint partition are out of reach.
    expect(AUDIT_INSERT_ATTRIBUTES).not.toContain("seq");
    expect(AUDIT_INSERT_ATTRIBUTES).not.toContain("prevHash");
    expect(AUDIT_INSERT_ATTRIBUTES).not.toContain("chainHash");
    expect(JSON.stringify(writesOf(statements))).not.toContain('"T#*#AUDIT"');
  });

  it("feeds the linker the audit inserts of the table stream, and lets it update records", () => {
    const fns = workersTemplate.findResources("AWS::Lambda::EventSourceMapping");
    const patterns = Object.values(fns).flatMap((m) =>
      (m.Properties.FilterCriteria?.Filters ?? []).map((f: { Pattern: string }) => JSON.parse(f.Pattern)),
    );
    expect(patterns).toEqual([{ eventName: ["INSERT"], dynamodb: { NewImage: { type: { S: ["Audit"] } } } }]);
    const [fnId] = Object.keys(workersTemplate.findResources("AWS::Lambda::Function"));
    const description = workersTemplate.findResources("AWS::Lambda::Function")[fnId ?? ""]?.Properties.Description;
    const actions = writesOf(statementsOfFunction(workersTemplate, description)).flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(["dynamodb:UpdateItem", "dynamodb:PutItem"]));
  });
});
