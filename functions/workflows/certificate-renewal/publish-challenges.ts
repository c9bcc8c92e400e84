/** Renewal step "Validating domain ownership": the gateway serves the HTTP-01 tokens (task token). */
import { publishChallenges } from "#shared/certificates/renewal.ts";
import { defineWaitTask } from "#shared/workflows/engine.ts";

export const handler = defineWaitTask(
  "certificate-renewal",
  "functions/workflows/certificate-renewal/publish-challenges.ts",
  publishChallenges,
);
