/**
 * The blob bucket (shared/blobs) as deployed: private, KMS-encrypted, TLS-only, expiring blobs by
 * their retention tag; and a function that declares `blobs` access reaches objects under the
 * tenants' prefix only — no listing, no bucket configuration — while one without it reaches nothing.
 */
import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "#infra/routes.ts";
import { RETENTION_DAYS } from "#shared/blobs/blobs.ts";
import type { RouteDef } from "#shared/kit/route.ts";
import { actionsOf, nagFindings, type SynthesizedWarden, statementsOfFunction, synthWarden } from "./synth-app.ts";

const base = routes.find((r) => r.method === "GET" && r.path === "/cloud-integration/security/gateways");
if (!base) throw new Error("the gateways list route is gone: pick another row for this test");
const row = (access: RouteDef["access"]): RouteDef => ({ ...base, access: { ...base.access, ...access } });

let warden: SynthesizedWarden;
let data: Template;
let fns: Template[];

beforeAll(async () => {
  warden = await synthWarden({
    routeFiles: {
      readers: [row({ blobs: "RO" })],
      writers: [{ ...row({ blobs: "RW" }), path: `${base.path}-rw` }],
      plain: [{ ...row({}), path: `${base.path}-plain` }],
    },
    workers: [],
  });
  data = warden.template(warden.data);
  fns = warden.routeStacks.map((s) => warden.template(s));
}, 120_000);
afterAll(() => warden?.cleanup());

const KEYS = [`GET ${base.path}`, `GET ${base.path}-rw`, `GET ${base.path}-plain`];
/** The IAM statements of the function serving KEYS[i], in whichever route stack holds it. */
function statementsIn(i: number) {
  const key = KEYS[i] as string;
  const t = fns.find(
    (f) => Object.keys(f.findResources("AWS::Lambda::Function", { Properties: { Description: key } })).length,
  );
  if (!t) throw new Error(`no function for ${key}`);
  return statementsOfFunction(t, key);
}

describe("blob bucket", () => {
  it("is private, KMS-encrypted with its own rotating key, TLS-only and retained", () => {
    data.hasResource("AWS::S3::Bucket", {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: "aws:kms" }) }),
          ],
        },
      }),
      DeletionPolicy: "Retain",
    });
    data.hasResourceProperties("AWS::KMS::Key", {
      Description: Match.stringLikeRegexp("blob bucket"),
      EnableKeyRotation: true,
    });
    data.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("expires each retention class by its tag", () => {
    const rules = Object.values(data.findResources("AWS::S3::Bucket"))[0]?.Properties.LifecycleConfiguration.Rules;
    for (const days of RETENTION_DAYS) {
      expect(rules).toContainEqual(
        expect.objectContaining({
          ExpirationInDays: days,
          Status: "Enabled",
          TagFilters: [{ Key: "retention-days", Value: String(days) }],
        }),
      );
    }
  });

  it("lets a function with blobs access reach objects under tenants/ only, reading or writing as declared", () => {
    const objectActions = (i: number) =>
      statementsIn(i)
        .filter((s) => JSON.stringify(s.Resource).includes("/tenants/*"))
        .flatMap(actionsOf);
    const everyS3 = (i: number) =>
      statementsIn(i)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith("s3:"));

    const readers = objectActions(0);
    const writers = objectActions(1);

    expect(readers).toEqual(["s3:GetObject"]);
    expect(writers.sort()).toEqual(["s3:DeleteObject", "s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"]);
    expect(everyS3(0)).toEqual(readers);
    expect(everyS3(1).sort()).toEqual(writers);
    expect(everyS3(2)).toEqual([]);
  });

  it("uses the blob key only through S3", () => {
    const kms = statementsIn(1).filter(
      (s) => actionsOf(s).includes("kms:GenerateDataKey") && JSON.stringify(s.Resource).includes("BlobKey"),
    );
    expect(kms).toHaveLength(1);
    expect(JSON.stringify(kms[0]?.Condition)).toContain("s3.");
  });

  it("passes cdk-nag AwsSolutions in the data stack and the functions' stacks", () => {
    expect(nagFindings(warden.data)).toEqual([]);
    for (const stack of warden.routeStacks) expect(nagFindings(stack)).toEqual([]);
  });
});
