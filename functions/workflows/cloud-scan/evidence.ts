/**
 * Scan step "Recording compliance evidence": the scan's findings as evidence on the tenant's GRC
 * controls mapped to them (shared/compliance/cloud-evidence.ts). The scan is complete before this
 * step: a failure here is logged and answered, never turned into a failed scan (the next scan
 * records the evidence again, in full).
 */
import { recordCloudEvidence } from "#shared/compliance/cloud-evidence.ts";
import { log } from "#shared/kit/log.ts";
import { defineTask, type WorkflowState } from "#shared/workflows/engine.ts";

async function evidence(state: WorkflowState) {
  try {
    return { recorded: true, ...(await recordCloudEvidence(state.tenantId, state.subject)) };
  } catch (error) {
    log.error("cloud scan evidence not recorded", { tenantId: state.tenantId, scan: state.subject, error });
    return { recorded: false, scan_id: state.subject };
  }
}

export const handler = defineTask("cloud-scan", "functions/workflows/cloud-scan/evidence.ts", evidence);
