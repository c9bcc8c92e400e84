import { afterEach, describe, expect, it, vi } from "vitest";
import { countEvent, countedEvents } from "#shared/kit/metrics.ts";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("business metrics", () => {
  it("writes nothing to stdout outside Lambda, yet counts the event", () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", undefined as unknown as string);
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", undefined as unknown as string);
    const write = vi.spyOn(process.stdout, "write");
    const before = countedEvents("Lockouts");
    countEvent("Lockouts");
    expect(countedEvents("Lockouts")).toBe(before + 1);
    expect(write).not.toHaveBeenCalled();
  });

  it("emits one EMF line in namespace Warden with the service dimension only, context as metadata", () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "warden-test");
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    countEvent("ShadowSyncFailures", 2, { shadow: "firewall" });
    const emf = lines.map((l) => JSON.parse(l)).find((l) => l._aws);
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: "Warden", Dimensions: [["service"]] }] },
      service: "warden",
      shadow: "firewall",
      ShadowSyncFailures: 2,
    });
  });

  it("stays silent in Lambda when POWERTOOLS_METRICS_DISABLED is true", () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "warden-test");
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
    const write = vi.spyOn(process.stdout, "write");
    countEvent("LoginFailed");
    expect(write).not.toHaveBeenCalled();
  });
});
