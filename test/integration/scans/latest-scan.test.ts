/**
 * The tenant's latest finished scan (GET /scan/results with latest=true, the legacy status route,
 * posture readers) is the one that STARTED last, whatever order scans end in. Scan ids carry their
 * start time to the second, then random hex: two scans started within one second must still be
 * ordered by when they started, not by their random suffixes (CI once showed the older scan's
 * results as the latest, a 1-in-2 chance whenever two scans start in the same second).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { latestScanId, setLatest } from "#shared/scans/db/scans.ts";

const tenant = () => `latest-${randomUUID().slice(0, 8)}`;
// One second, two scans: the later one has the smaller random suffix.
const EARLIER = { id: "scan-20261130-154500-FFFFFFFF", at: "2026-11-30T15:45:00.120Z" };
const LATER = { id: "scan-20261130-154500-00000000", at: "2026-11-30T15:45:00.870Z" };

describe("the latest finished scan", () => {
  it("is the later-started scan of one second, whichever suffix sorts first", async () => {
    const t = tenant();
    await setLatest(t, EARLIER.id, EARLIER.at);
    await setLatest(t, LATER.id, LATER.at);
    expect(await latestScanId(t)).toBe(LATER.id);
  });

  it("is not replaced by an earlier-started scan that finishes after it", async () => {
    const t = tenant();
    await setLatest(t, LATER.id, LATER.at);
    await setLatest(t, EARLIER.id, EARLIER.at);
    expect(await latestScanId(t)).toBe(LATER.id);
  });

  it("follows start time across seconds, and an equal start time is decided by the id", async () => {
    const t = tenant();
    await setLatest(t, "scan-20261130-154501-00000000", "2026-11-30T15:45:01.000Z");
    await setLatest(t, EARLIER.id, EARLIER.at);
    expect(await latestScanId(t)).toBe("scan-20261130-154501-00000000");
    await setLatest(t, "scan-20261130-154501-00000001", "2026-11-30T15:45:01.000Z");
    expect(await latestScanId(t)).toBe("scan-20261130-154501-00000001");
  });
});
