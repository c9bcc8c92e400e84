/** Renewal step "Generating CSR": the gateway makes the key and answers with a CSR (task token). */
import { requestCsr } from "#shared/certificates/renewal.ts";
import { defineWaitTask } from "#shared/workflows/engine.ts";

export const handler = defineWaitTask(
  "certificate-renewal",
  "functions/workflows/certificate-renewal/request-csr.ts",
  requestCsr,
);
