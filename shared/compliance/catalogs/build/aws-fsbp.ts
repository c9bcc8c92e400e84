/**
 * Generates `catalogs/aws-fsbp.json`, the AWS Foundational Security Best Practices (FSBP) standard
 * of AWS Security Hub, from Prowler's compliance file (Apache-2.0):
 *   https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/aws_foundational_security_best_practices_aws.json
 * One section per service (its id is the control prefix: `S3`, `APIGateway`…), one control per
 * Security Hub control id (`S3.2`), with AWS's control title and its Security Hub severity. Prowler's
 * long descriptions and its check lists are not shipped: the posture area keeps its own mappings
 * (shared/posture/checks/frameworks.ts), and the GRC evidence joins them on these ids.
 *
 * Run: npx tsx shared/compliance/catalogs/build/aws-fsbp.ts <aws_foundational_security_best_practices_aws.json> [<commit>]
 * then npx tsx shared/compliance/catalogs/build/index.ts
 */
import { readFileSync } from "node:fs";
import * as z from "zod/mini";
import { Catalog, type Requirement } from "../../catalog.ts";
import { writeJson } from "./write-json.ts";

const OUT = new URL("../aws-fsbp.json", import.meta.url);
const PROWLER_URL =
  "https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/aws_foundational_security_best_practices_aws.json";

const ProwlerFile = z.object({
  Framework: z.literal("AWS-Foundational-Security-Best-Practices"),
  Provider: z.literal("AWS"),
  Requirements: z.array(
    z.object({
      Id: z.string().check(z.regex(/^[A-Z][A-Za-z0-9]*\.\d{1,3}$/)),
      Name: z.string().check(z.minLength(1)),
      Attributes: z
        .array(z.object({ Section: z.string(), Severity: z.enum(["critical", "high", "medium", "low"]) }))
        .check(z.length(1)),
    }),
  ),
});

const [input, commit] = process.argv.slice(2);
if (!input) throw new Error("usage: aws-fsbp.ts <aws_foundational_security_best_practices_aws.json> [<commit>]");
const file = ProwlerFile.parse(JSON.parse(readFileSync(input, "utf8")));

/** Control ids in their natural order: by service as the file lists them, then by number. */
const prefixOf = (id: string) => id.slice(0, id.indexOf("."));
const numberOf = (id: string) => Number(id.slice(id.indexOf(".") + 1));

const sections = new Map<string, { title: string; controls: (typeof file.Requirements)[number][] }>();
for (const r of file.Requirements) {
  const prefix = prefixOf(r.Id);
  const title = r.Attributes[0]?.Section ?? prefix;
  const section = sections.get(prefix) ?? { title, controls: [] };
  if (section.title !== title) throw new Error(`${r.Id}: section '${title}', its prefix is '${section.title}'`);
  section.controls.push(r);
  sections.set(prefix, section);
}

const requirements: Requirement[] = [];
for (const [prefix, section] of [...sections].sort(([a], [b]) => a.localeCompare(b))) {
  requirements.push({ id: prefix, title: section.title, kind: "section" });
  for (const r of section.controls.sort((a, b) => numberOf(a.Id) - numberOf(b.Id))) {
    const severity = r.Attributes[0]?.Severity ?? "medium";
    requirements.push({
      id: r.Id,
      title: r.Name,
      description: `Security Hub severity: ${severity}.`,
      parent_id: prefix,
      kind: "control",
    });
  }
}

const controls = requirements.filter((r) => r.kind === "control").length;
const catalog = Catalog.parse({
  id: "aws-fsbp",
  name: "AWS Foundational Security Best Practices v1.0.0",
  version: "1.0.0",
  publisher: "Amazon Web Services (AWS Security Hub)",
  source_url: "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html",
  licence:
    "Control ids, titles and severities as AWS publishes them for the Security Hub FSBP standard, taken from " +
    "Prowler's compliance file (Apache-2.0, © Prowler). AWS's control descriptions are not reproduced.",
  description:
    `The AWS Security Hub standard of ${controls} controls in ${sections.size} service sections; each control ` +
    "carries its Security Hub severity. Cloud scans map their checks to these ids, so a tenant that adopts the " +
    "framework gets cloud posture evidence on its controls.",
  aliases: [
    "fsbp",
    "aws fsbp",
    "aws foundational security best practices",
    "foundational security best practices",
    "security hub fsbp",
  ],
  sources: [
    {
      title:
        "Prowler compliance framework aws_foundational_security_best_practices_aws.json (prowler-cloud/prowler, " +
        `prowler/compliance/aws/${commit ? `; commit ${commit}` : ""})`,
      url: PROWLER_URL,
      licence: "Apache-2.0",
      used_for: "control ids, titles, services (sections) and Security Hub severities",
    },
  ],
  requirements,
});
writeJson(OUT.pathname, catalog);
console.log(`aws-fsbp: ${sections.size} sections, ${controls} controls written`);
