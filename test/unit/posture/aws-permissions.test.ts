/**
 * The platform scanner's read-only policy (shared/posture/adapters/aws-permissions.ts) against the
 * collectors' code: every SDK command aws.ts imports (directly or through a paginator) has its IAM
 * action in the list, and the list holds nothing aws.ts does not call — so the role the CDK app
 * gives for scans of the platform's own account is exactly what the collectors need.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COLLECTOR_ACTIONS, PLATFORM_SCAN_ACTIONS } from "#shared/posture/adapters/aws-permissions.ts";

const source = readFileSync(new URL("../../../shared/posture/adapters/aws.ts", import.meta.url), "utf8");

/** `<client package>:<Command>` for every command and paginator aws.ts imports from an SDK client. */
function importedCommands(): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/(client-[a-z0-9-]+)"/g)) {
    const [, names = "", client = ""] = m;
    for (const raw of names.split(",")) {
      const name =
        raw
          .trim()
          .split(/\s+as\s+/)[0]
          ?.trim() ?? "";
      const command = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
      if (command) out.push(`${client}:${command}`);
    }
  }
  return out;
}

describe("the platform scanner's IAM actions", () => {
  it("cover exactly the commands the collectors send (STS needs none: GetCallerIdentity, and AssumeRole is never used for it)", () => {
    const sent = importedCommands().filter((c) => !c.startsWith("client-sts:"));

    expect(sent.length).toBeGreaterThan(40);
    expect([...new Set(sent)].sort()).toEqual(Object.keys(COLLECTOR_ACTIONS).sort());
  });

  it("are read-only", () => {
    const nonRead = PLATFORM_SCAN_ACTIONS.filter(
      (a) => !/^[a-z0-9-]+:(Describe|Get|List)/.test(a) && a !== "iam:GenerateCredentialReport",
    );

    expect(nonRead).toEqual([]);
    expect(PLATFORM_SCAN_ACTIONS).not.toContain("sts:AssumeRole");
  });
});
