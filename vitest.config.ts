import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // DynamoDB Local (and the JWT test key) start once per run, not per file.
    globalSetup: ["test/setup/global.ts"],
    setupFiles: ["test/setup/env.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A request's DynamoDB call count is per process: keep each file's requests in one sequence.
    sequence: { concurrent: false },
  },
});
