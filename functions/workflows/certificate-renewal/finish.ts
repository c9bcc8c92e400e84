/** Records a renewal's outcome (progress item, lock, `last_renewal`); both end states of the definition call it. */
import { endRenewal, renewalResult } from "#shared/certificates/renewal.ts";
import { defineFinish } from "#shared/workflows/engine.ts";

export const handler = defineFinish("certificate-renewal", endRenewal, renewalResult);
