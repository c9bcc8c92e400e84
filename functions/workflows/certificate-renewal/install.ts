/** Renewal step "Installing certificate": the gateway installs it and reports the fingerprint it serves (task token). */
import { installCertificate } from "#shared/certificates/renewal.ts";
import { defineWaitTask } from "#shared/workflows/engine.ts";

export const handler = defineWaitTask(
  "certificate-renewal",
  "functions/workflows/certificate-renewal/install.ts",
  installCertificate,
);
