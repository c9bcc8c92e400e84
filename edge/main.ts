#!/usr/bin/env node
/**
 * warden-edge: the command a gateway runs (see warden-edge.service). Reads its configuration from
 * the environment and the command line, starts the edge, and stops it cleanly on SIGTERM/SIGINT.
 */
import { edgeOptionsFromEnv, USAGE } from "./config.ts";
import { startEdge } from "./edge.ts";

async function main(): Promise<number> {
  const options = edgeOptionsFromEnv(process.env, process.argv.slice(2));
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const edge = await startEdge(options);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  await edge.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`warden-edge: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
