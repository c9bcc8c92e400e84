/**
 * The client's address behind CloudFront (`-c waf=true`): the kit trusts `CloudFront-Viewer-Address`
 * only when the request carries the distribution's origin secret, and otherwise uses the API
 * Gateway source IP.
 */
import { describe, expect, it } from "vitest";
import { clientAddress, viewerIp } from "#shared/kit/client-address.ts";

const SECRET = "s3cr3t-origin-verify-value-0123456789";
const SOURCE = "130.176.1.10"; // a CloudFront edge server, as API Gateway sees it

describe("clientAddress", () => {
  it("uses the source IP when there is no viewer header", () => {
    expect(clientAddress({}, SOURCE, SECRET)).toBe(SOURCE);
    expect(clientAddress({ "x-warden-origin-verify": SECRET }, SOURCE, SECRET)).toBe(SOURCE);
  });

  it("uses the source IP when the viewer header comes with a wrong secret or none", () => {
    const viewer = { "cloudfront-viewer-address": "203.0.113.9:51234" };
    expect(clientAddress(viewer, SOURCE, SECRET)).toBe(SOURCE);
    expect(clientAddress({ ...viewer, "x-warden-origin-verify": `${SECRET}x` }, SOURCE, SECRET)).toBe(SOURCE);
    expect(clientAddress({ ...viewer, "x-warden-origin-verify": "" }, SOURCE, SECRET)).toBe(SOURCE);
  });

  it("uses the viewer address, port stripped, when the secret matches", () => {
    const verified = { "x-warden-origin-verify": SECRET };
    expect(clientAddress({ ...verified, "cloudfront-viewer-address": "203.0.113.9:51234" }, SOURCE, SECRET)).toBe(
      "203.0.113.9",
    );
    expect(
      clientAddress({ ...verified, "cloudfront-viewer-address": "2001:db8:85a3::8a2e:370:7334:46532" }, SOURCE, SECRET),
    ).toBe("2001:db8:85a3::8a2e:370:7334");
  });

  it("trusts no header while the deployment has no origin secret (no CloudFront in front)", () => {
    const headers = { "x-warden-origin-verify": SECRET, "cloudfront-viewer-address": "203.0.113.9:51234" };
    expect(clientAddress(headers, SOURCE, undefined)).toBe(SOURCE);
  });

  it("falls back to the source IP when the verified header is not an address", () => {
    const verified = { "x-warden-origin-verify": SECRET };
    for (const bad of ["203.0.113.9", "not-an-ip:80", "203.0.113.9:port", ":443", "999.1.1.1:80"]) {
      expect(clientAddress({ ...verified, "cloudfront-viewer-address": bad }, SOURCE, SECRET), bad).toBe(SOURCE);
    }
  });
});

describe("viewerIp", () => {
  it("strips the port of IPv4, IPv6 and bracketed IPv6 addresses", () => {
    expect(viewerIp("198.51.100.1:443")).toBe("198.51.100.1");
    expect(viewerIp("2001:db8::1:443")).toBe("2001:db8::1");
    expect(viewerIp("[2001:db8::1]:443")).toBe("2001:db8::1");
  });
});
