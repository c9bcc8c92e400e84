/**
 * The Node options every function is deployed with (infra/constructs/warden-function.ts) and the
 * cold-start bench's fresh processes run with (bench/cold-start.ts): one value, so the bench
 * measures what deploys.
 *
 * No `--enable-source-maps`: with it, Node reads and parses each bundle's source map as it loads,
 * at every cold start — measured +19 ms CPU on GET /users and +31 ms on GET /grc/controls per
 * import (load ~3, 9 alternating fresh processes), for stacks that are read only on a failure.
 * The bundles still ship their maps: `npm run stack -- dist/functions/<functionId>` maps a logged
 * stack to the TypeScript sources (tools/stack.ts).
 */
export const FUNCTION_NODE_OPTIONS: string = "";
