/** Renewal step "Downloading certificate": challenges validated, order finalized with the CSR, certificate downloaded. */
import { finalizeCertificate } from "#shared/certificates/renewal.ts";
import { defineTask } from "#shared/workflows/engine.ts";

export const handler = defineTask(
  "certificate-renewal",
  "functions/workflows/certificate-renewal/finalize-order.ts",
  finalizeCertificate,
);
