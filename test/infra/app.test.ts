/** Whole-app guarantees: every stack deployable, nothing looked up, cdk-nag clean, bundles sane. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { App, Stack, Validations } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { AwsSolutionsChecks } from "cdk-nag";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allEntries, buildFunctions } from "#infra/build.ts";
import { TOKEN_PUBLIC_KEYS_FUNCTION_ID } from "#infra/constructs/token-public-keys.ts";
import { nagVerdict } from "#infra/nag-verdict.ts";
import { routes } from "#infra/routes.ts";
import { workers } from "#infra/workers.ts";
import { functionId } from "#shared/kit/route.ts";
import { nagFindings, nistFindings, type SynthesizedWarden, synthWarden } from "./synth-app.ts";

/** CloudFormation's hard limit of resources per stack. */
const MAX_RESOURCES = 500;

let warden: SynthesizedWarden;

beforeAll(async () => {
  warden = await synthWarden();
}, 600_000);
afterAll(() => warden?.cleanup());

describe("the Warden CDK app", () => {
  it("keeps every stack within CloudFormation's resource limit", () => {
    for (const stack of warden.stacks) {
      const count = Object.keys(warden.assembly.getStackArtifact(stack.artifactId).template.Resources ?? {}).length;
      expect(count, stack.stackName).toBeLessThanOrEqual(MAX_RESOURCES);
    }
  });

  it("is environment-agnostic and looks nothing up, so synth needs no account and no credentials", () => {
    for (const stack of warden.stacks) {
      expect(stack.environment, stack.stackName).toBe("aws://unknown-account/unknown-region");
    }
    expect(warden.assembly.manifest.missing ?? []).toEqual([]);
  });

  it("deploys one function per HTTP row and per worker, each from its own bundle", () => {
    const expected = [
      ...routes.filter((r) => r.method !== "WEBSOCKET").map((r) => functionId(r.handler)),
      ...workers.map((w) => w.id),
    ];
    const deployed = [
      ...warden.routeStacks.flatMap((s) => [...s.functions.keys()]),
      ...(warden.iot ? [...warden.iot.ingestFunctions.keys()] : []),
      ...(warden.workers ? [...warden.workers.functions.keys()] : []),
      // The deploy-time token public-key lookup, in the data stack (infra/constructs/token-public-keys.ts).
      ...(warden.tokenKeyLookup ? [TOKEN_PUBLIC_KEYS_FUNCTION_ID] : []),
    ];
    expect(deployed.sort()).toEqual(expected.sort());
  });

  it("keeps the logical id of every function, so a deploy over an existing installation replaces none", async () => {
    // The committed list is the contract with installations already deployed. Adding a function
    // adds a line; changing or removing one must be a decision: rewrite the list with
    // WARDEN_WRITE_FUNCTION_IDS=1 npx vitest run test/infra/app.test.ts
    const file = join(import.meta.dirname, "function-logical-ids.txt");
    const synthesized = warden.stacks
      .flatMap((stack) => {
        const resources = warden.assembly.getStackArtifact(stack.artifactId).template.Resources ?? {};
        return Object.entries(resources)
          .filter(([, r]) => (r as { Type?: string }).Type === "AWS::Lambda::Function")
          .map(([id]) => id);
      })
      .sort();
    if (process.env.WARDEN_WRITE_FUNCTION_IDS === "1") await writeFile(file, `${synthesized.join("\n")}\n`);
    const committed = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    expect(synthesized).toEqual(committed);
  });

  it("has no unacknowledged cdk-nag AwsSolutions finding in any stack", () => {
    expect(warden.stacks.length).toBeGreaterThanOrEqual(3);
    for (const stack of warden.stacks) expect(nagFindings(stack), stack.stackName).toEqual([]);
  });

  it("has no unacknowledged cdk-nag NIST 800-53 r5 finding in any stack (infra/constructs/nag-nist.ts)", () => {
    for (const stack of warden.stacks) expect(nistFindings(stack), stack.stackName).toEqual([]);
  });

  it("gives a reason with every cdk-nag acknowledgement", () => {
    const reasons: string[] = [];
    for (const construct of warden.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const value of Object.values(entry.data as Record<string, unknown>)) {
          reasons.push(typeof value === "string" ? value : JSON.stringify(value));
        }
      }
    }
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length, reason).toBeGreaterThan(40);
  });

  it("fails synth on an unacknowledged cdk-nag error (the gate is live)", () => {
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, "Careless");
    const role = new Role(stack, "Role", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ["dynamodb:*"], resources: ["*"] }));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
  });

  it("bundles every function as ESM in its own directory (the tests' build leaves the AWS SDK outside)", async () => {
    for (const fn of warden.built) {
      expect(fn.outfile.endsWith(join(fn.functionId, "index.mjs"))).toBe(true);
      expect(fn.bytes, fn.functionId).toBeGreaterThan(0);
      expect(fn.bytes, fn.functionId).toBeLessThan(5 * 1024 * 1024);
    }
    const first = warden.built[0];
    if (!first) return;
    const meta = JSON.parse(await readFile(join(first.outfile, "..", "..", "meta.json"), "utf8")) as {
      inputs: Record<string, unknown>;
    };
    const inputs = Object.keys(meta.inputs);
    // synth-app.ts builds with `sdk: "external"`: templates and IAM do not depend on it (next test: a deploy's build).
    expect(inputs.some((i) => i.includes("node_modules/@aws-sdk/"))).toBe(false);
    expect(inputs.some((i) => i.includes("node_modules/zod/"))).toBe(true);
    // Local mode's stand-ins (openssl certificates, DynamoDB Local) never ship.
    expect(inputs.filter((i) => i.startsWith("infra/"))).toEqual([]);
  });

  it("ships the AWS SDK inside each deployed function: no @aws-sdk import left, and the bundle answers alone", async () => {
    // Arrange: a deploy's build (`sdk: "bundled"`, the default) of three functions into a directory
    // with no node_modules above it, so nothing resolves outside the function's own directory.
    // gateway-scan-start reaches Step Functions and EventBridge Scheduler through area roots, with
    // `import()`: their clients are not part of its cold start.
    const ids = ["gateway-users-create", "securenet-auth-login", "platform-jwks-get", "gateway-scan-start"];
    const dir = await mkdtemp(join(tmpdir(), "warden-sdk-bundled-"));
    try {
      const built = await buildFunctions({
        outdir: dir,
        entries: allEntries().filter((e) => ids.includes(e.functionId)),
      });
      expect(built.map((b) => b.functionId).sort()).toEqual([...ids].sort());
      const sdkModules = JSON.parse(await readFile(join(dir, "sdk-modules.json"), "utf8")) as {
        combinations: { packages: string[] }[];
        own: string[];
      };
      expect(sdkModules.combinations.some((c) => c.packages.includes("client-dynamodb"))).toBe(true);
      for (const fn of built) {
        const fnDir = join(dir, fn.functionId);
        const files = (await readdir(fnDir, { recursive: true })).filter((f) => f.endsWith(".mjs"));
        expect(files, fn.functionId).toContain(join("sdk", "client-dynamodb.mjs"));
        // One SDK module at a cold start: each package the function imports with an import statement
        // is a one-line module re-exporting from the same combination module.
        const index = await readFile(join(fnDir, "index.mjs"), "utf8");
        const statics = [...index.matchAll(/(?:^|[;}\n])\s*import\b[^;"'()]*["']\.\/sdk\/([\w.+-]+\.mjs)["']/g)];
        const combination = new Set<string>();
        for (const m of statics) {
          const facade = await readFile(join(fnDir, "sdk", m[1] as string), "utf8");
          expect(facade.trim().split("\n"), `${fn.functionId}: sdk/${m[1]}`).toHaveLength(1);
          combination.add(/from\s*["']\.\/([\w.+-]+\.mjs)["']/.exec(facade)?.[1] ?? facade);
        }
        expect(combination.size, fn.functionId).toBe(1);
        // Every module an SDK file imports (its combination, its lazily loaded chunks) is beside it.
        for (const f of files.filter((x) => x.startsWith(`sdk${sep}`))) {
          const source = await readFile(join(fnDir, f), "utf8");
          for (const m of source.matchAll(/(?:from\s*|import\s*\(?\s*)["']\.\/([\w.+-]+\.mjs)["']/g)) {
            expect(existsSync(join(fnDir, "sdk", m[1] as string)), `${fn.functionId}/${f} imports ${m[1]}`).toBe(true);
          }
        }
        for (const f of files) {
          const source = await readFile(join(fnDir, f), "utf8");
          // No import of the runtime's SDK, static or dynamic …
          // (an import statement starts the file or follows `;`/`}`; the SDK's error texts quote some).
          expect(source, `${fn.functionId}/${f}`).not.toMatch(
            /(?:^|[;}\n])\s*(?:import|export)\b[^;"'()]*["']@aws-sdk\/|\bimport\(\s*["']@aws-sdk\//,
          );
          // … and every SDK module a file imports is in the function's directory.
          for (const m of source.matchAll(/["']\.\/sdk\/([\w.+-]+\.mjs)["']/g)) {
            const target = join(fnDir, dirname(f), "sdk", m[1] as string);
            expect(existsSync(target), `${fn.functionId}/${f} imports ${m[1]}`).toBe(true);
          }
        }
      }
      const scanStart = await readFile(join(dir, "gateway-scan-start", "index.mjs"), "utf8");
      const importedStatically = (pkg: string) =>
        new RegExp(`(?:^|[;}\\n])\\s*import\\b[^;"'()]*["']\\./sdk/${pkg}\\.mjs["']`);
      for (const pkg of ["client-sfn", "client-scheduler"]) {
        expect(scanStart, pkg).toMatch(new RegExp(`import\\(\\s*["']\\./sdk/${pkg}\\.mjs["']\\s*\\)`));
        expect(scanStart, pkg).not.toMatch(importedStatically(pkg));
      }
      expect(scanStart).not.toMatch(importedStatically("client-iot-data-plane"));
      // A fresh process importing a bundle loads no built-in its module scope does not use (they stand
      // behind lazy stand-ins): not the SDK's compression (zlib) nor its HTTP/2 handler.
      const users = built.find((b) => b.functionId === "gateway-users-create");
      if (!users) throw new Error("no bundle for gateway-users-create");
      const { stdout } = await promisify(execFile)(process.execPath, [
        "--input-type=module",
        "-e",
        `await import(${JSON.stringify(pathToFileURL(users.outfile).href)}); process.stdout.write(JSON.stringify(process.moduleLoadList));`,
      ]);
      const loadedBuiltins = JSON.parse(stdout) as string[];
      expect(loadedBuiltins).toContain("NativeModule crypto");
      expect(loadedBuiltins).not.toContain("NativeModule zlib");
      expect(loadedBuiltins).not.toContain("NativeModule http2");

      // Act: load a bundle (its SDK modules with it) and answer a malformed body (refused before any table call).
      const bundle = built.find((b) => b.functionId === "gateway-users-create");
      if (!bundle) throw new Error("no bundle for gateway-users-create");
      const { handler } = (await import(pathToFileURL(bundle.outfile).href)) as {
        handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }>;
      };
      const path = "/cloud-integration/security/users/create";
      const res = await handler(
        {
          version: "2.0",
          rawPath: path,
          headers: { "content-type": "application/json" },
          requestContext: { http: { method: "POST", path, sourceIp: "192.0.2.1", userAgent: "t" }, requestId: "r1" },
          body: "{",
          isBase64Encoded: false,
        },
        {},
      );
      // Assert: the surface's validation envelope, answered by code that found everything beside it.
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: "VALIDATION_ERROR" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it("keeps heavy dependencies in the bundles that use them", async () => {
    const first = warden.built[0];
    if (!first) throw new Error("nothing was built");
    const meta = JSON.parse(await readFile(join(first.outfile, "..", "..", "meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, unknown> }>;
    };
    const carrying = (pkg: string, file: (out: string) => boolean) => [
      ...new Set(
        Object.entries(meta.outputs)
          .filter(([out, o]) => file(out) && Object.keys(o.inputs).some((i) => i.includes(`node_modules/${pkg}/`)))
          .map(([out]) => out.split("/").at(-2))
          .sort(),
      ),
    ];
    const anyFile = (out: string) => out.endsWith(".mjs");
    const entryFile = (out: string) => out.endsWith("/index.mjs");
    // The password-strength dictionaries (~470 KB) and the PDF writer with its fonts (~900 KB).
    expect(carrying("@zxcvbn-ts/language-common", anyFile)).toEqual(["gateway-authentication-test-password"]);
    expect(carrying("pdfkit", anyFile)).toEqual(["cloudsentinel-reports-export", "gateway-audit-export"]);
    // The spreadsheet writer: only the cloud report export.
    expect(carrying("exceljs", anyFile)).toEqual(["cloudsentinel-reports-export"]);
    // Each in a chunk beside the function's index.mjs, loaded on first use only: a cold start
    // neither loads nor parses them.
    for (const pkg of ["@zxcvbn-ts/language-common", "pdfkit", "exceljs"]) {
      expect(carrying(pkg, entryFile), pkg).toEqual([]);
    }
    for (const id of ["gateway-authentication-test-password", "gateway-audit-export", "cloudsentinel-reports-export"]) {
      const fn = warden.built.find((b) => b.functionId === id);
      expect(fn?.lazyBytes, id).toBeGreaterThan(300 * 1024);
    }
  });

  it("leaves out of a route's bundle what it does not use: the edge contract's schemas, the STS client until first use", async () => {
    const first = warden.built[0];
    if (!first) throw new Error("nothing was built");
    const meta = JSON.parse(await readFile(join(first.outfile, "..", "..", "meta.json"), "utf8")) as {
      outputs: Record<
        string,
        { inputs: Record<string, { bytesInOutput: number }>; imports: { path: string; kind: string }[] }
      >;
    };
    const entryOf = (id: string) => {
      const found = Object.entries(meta.outputs).find(([out]) => out.endsWith(`/${id}/index.mjs`));
      if (!found) throw new Error(`${id} was not built`);
      return found[1];
    };
    const contractBytes = (id: string) => entryOf(id).inputs["edge/contract.ts"]?.bytesInOutput ?? 0;
    // GET /users reaches edge/contract.ts (through the IoT policy's topic names) but uses none of its
    // schemas: only the contract's locale setup remains. PUT ssh validates the ssh shadow with it.
    expect(contractBytes("gateway-users-get")).toBeLessThan(200);
    expect(contractBytes("gateway-ssh-update")).toBeGreaterThan(1000);
    // STS is imported by the first AssumeRole (shared/tenancy/adapters/sts.ts), not at a cold start.
    for (const id of ["gateway-users-get", "grc-controls-list"]) {
      const sts = entryOf(id).imports.filter((i) => i.path === "@aws-sdk/client-sts");
      expect(
        sts.map((i) => i.kind),
        id,
      ).toEqual(["dynamic-import"]);
    }
  });

  it("keeps the OpenAPI document, its generator and the docs page out of every function bundle", async () => {
    const first = warden.built[0];
    if (!first) throw new Error("nothing was built");
    const meta = JSON.parse(await readFile(join(first.outfile, "..", "..", "meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, unknown> }>;
    };
    const offending = Object.entries(meta.outputs)
      .filter(([out]) => out.endsWith(".mjs"))
      .flatMap(([out, o]) =>
        Object.keys(o.inputs)
          .filter((i) =>
            /node_modules\/(zod-openapi|swagger-ui-dist|@seriousme|openapi-)|tools\/openapi|shared\/kit\/error-schemas|openapi\.json/.test(
              i,
            ),
          )
          .map((i) => `${out.split("/").at(-2)}: ${i}`),
      );
    expect(offending).toEqual([]);
  });

  it("states cdk-nag's verdict: the rules it ran, on how many resources, and no unacknowledged finding", () => {
    const verdict = nagVerdict(warden.app);
    expect(verdict.rules).toBeGreaterThan(10);
    expect(verdict.resources).toBeGreaterThan(50);
    expect(verdict.unacknowledged).toBe(0);
    expect(verdict.line).toMatch(
      /^cdk-nag AwsSolutions: \d+ rules checked on \d+ resources in \d+ stacks: 0 unacknowledged findings/,
    );
    const careless = new App();
    const stack = new Stack(careless, "Careless");
    const role = new Role(stack, "Role", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ["dynamodb:*"], resources: ["*"] }));
    expect(nagVerdict(careless).unacknowledged).toBeGreaterThan(0);
  });

  it("binds each route's bundle to its own row: a bundle answers in its route's surface envelope", async () => {
    const answer = async (functionId: string, path: string) => {
      const bundle = warden.built.find((b) => b.functionId === functionId);
      if (!bundle) throw new Error(`no bundle ${functionId}`);
      const { handler } = (await import(pathToFileURL(bundle.outfile).href)) as {
        handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }>;
      };
      // A malformed body is refused before authentication and rate limiting: no table needed.
      const res = await handler(
        {
          version: "2.0",
          rawPath: path,
          headers: { "content-type": "application/json" },
          requestContext: { http: { method: "POST", path, sourceIp: "192.0.2.1", userAgent: "t" }, requestId: "r1" },
          body: "{",
          isBase64Encoded: false,
        },
        {},
      );
      return { status: res.statusCode, body: JSON.parse(res.body) };
    };
    const securenet = await answer("securenet-auth-login", "/api/auth/login");
    expect(securenet).toMatchObject({ status: 400, body: { status: "error", error: { code: "VALIDATION_ERROR" } } });
    const gateway = await answer("gateway-users-create", "/cloud-integration/security/users/create");
    expect(gateway).toMatchObject({ status: 400, body: { error: "VALIDATION_ERROR" } });
  });
});
