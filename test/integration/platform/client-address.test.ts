/**
 * Behind CloudFront (`-c waf=true`) the kit counts per-address limits under the viewer's address only
 * when the request proves it came through the platform's distribution (the origin secret), and under
 * the API Gateway source IP otherwise. Observed through a public, per-address rate-limited route
 * (the JWKS): requests counted under the same address share one window.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";

const SECRET = randomBytes(24).toString("base64url");
// Shared code reads its environment once at import: the deployment's origin secret goes first.
process.env.WARDEN_ORIGIN_SECRET = SECRET;
const { call, freshIp } = await import("#test/helpers/api.ts");

const viewer = () => `2001:db8:${process.pid.toString(16)}::${randomBytes(2).toString("hex")}`;
const jwks = (ip: string, headers: Record<string, string> = {}) =>
  call("GET", "/.well-known/jwks.json", { ip, headers });
const remaining = (r: { headers: Record<string, string> }) => Number(r.headers["X-RateLimit-Remaining"]);
type Answer = Awaited<ReturnType<typeof jwks>>;

/**
 * Runs `requests` until all its answers fall in one rate window (the same X-RateLimit-Reset): a
 * run that straddles a window boundary compares counts of two windows, so it is run again.
 */
async function inOneWindow(requests: () => Promise<Answer[]>): Promise<Answer[]> {
  for (let attempt = 0; ; attempt++) {
    const answers = await requests();
    const resets = new Set(answers.map((a) => a.headers["X-RateLimit-Reset"]));
    if (resets.size === 1 || attempt >= 2) return answers;
  }
}

describe("client address behind CloudFront", () => {
  it("counts a request with the right secret under the viewer address, whichever edge server sent it", async () => {
    const [first, second] = (await inOneWindow(async () => {
      const headers = { "CloudFront-Viewer-Address": `${viewer()}:51234`, "X-Warden-Origin-Verify": SECRET };
      return [await jwks(freshIp(), headers), await jwks(freshIp(), headers)];
    })) as [Answer, Answer];
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    // One window (the viewer's), though the two source IPs differ.
    expect(remaining(second)).toBe(remaining(first) - 1);
  });

  it("counts a request with a wrong secret under its source IP, ignoring the viewer header", async () => {
    const [verified, forged, again] = (await inOneWindow(async () => {
      const source = freshIp();
      const headers = { "CloudFront-Viewer-Address": `${viewer()}:51234` };
      return [
        await jwks(freshIp(), { ...headers, "X-Warden-Origin-Verify": SECRET }),
        await jwks(source, { ...headers, "X-Warden-Origin-Verify": `${SECRET}-not` }),
        await jwks(source),
      ];
    })) as [Answer, Answer, Answer];
    // The forged request did not land in the viewer's window: it opened the source IP's own one,
    // which the next plain request from that source continues.
    expect(remaining(forged)).toBe(remaining(verified));
    expect(remaining(again)).toBe(remaining(forged) - 1);
  });

  it("counts a request without the viewer header under its source IP", async () => {
    const [first, second, elsewhere] = (await inOneWindow(async () => {
      const source = freshIp();
      return [await jwks(source, { "X-Warden-Origin-Verify": SECRET }), await jwks(source), await jwks(freshIp())];
    })) as [Answer, Answer, Answer];
    expect(remaining(second)).toBe(remaining(first) - 1);
    expect(remaining(elsewhere)).toBe(remaining(first));
  });
});
