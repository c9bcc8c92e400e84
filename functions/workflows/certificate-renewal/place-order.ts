/** Renewal step "Requesting certificate from CA": ACME account, order, authorizations, HTTP-01 challenges. */
import { orderCertificate } from "#shared/certificates/renewal.ts";
import { defineTask } from "#shared/workflows/engine.ts";

export const handler = defineTask(
  "certificate-renewal",
  "functions/workflows/certificate-renewal/place-order.ts",
  orderCertificate,
);
