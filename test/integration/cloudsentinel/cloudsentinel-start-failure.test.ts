/**
 * A scan that cannot start (Step Functions unavailable) answers 503 in the spec's error body, keeps
 * no credentials, and is listed as failed rather than left "initiated" forever.
 */
import { describe, expect, it } from "vitest";
import { getSealedCredentials } from "#shared/posture/db/scans.ts";
import { useWorkflowRunner } from "#shared/workflows/engine.ts";
import { call, freshIp, newTenant } from "#test/helpers/api.ts";

// Stands in for Step Functions refusing StartExecution (throttled, or an outage).
useWorkflowRunner({
  start: async () => {
    throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
  },
  sendTaskSuccess: async () => {},
  sendTaskFailure: async () => {},
});

describe("a scan that cannot start", () => {
  it("answers 503, deletes the sealed keys at once and records the scan as failed", async () => {
    const t = await newTenant("cs-nostart");
    const res = await call("POST", "/api/v1/scan/start", {
      token: t.token,
      ip: freshIp(),
      body: {
        cloud_provider: "aws",
        credentials: {
          access_key_id: "AKIAIOSFODNN7EXAMPLE",
          secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        },
      },
    });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ detail: "Internal server error", request_id: expect.any(String) });
    const list = await call("GET", "/api/v1/scan/scans", { token: t.token });
    expect(list.body.items).toHaveLength(1);
    const [scan] = list.body.items;
    expect(scan).toMatchObject({ status: "failed" });
    expect(await getSealedCredentials(t.tenantId, scan.id)).toBeUndefined();
  });
});
