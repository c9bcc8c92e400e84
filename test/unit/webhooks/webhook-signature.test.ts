/**
 * The webhook signature a receiver verifies, the address classes a webhook may never reach, and
 * the secret masking that keeps a signing secret from being shown twice.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { assertWebhookUrl, isNonPublicAddress } from "#shared/webhooks/destination-guard.ts";
import {
  maskSecret,
  newWebhookSecret,
  secretHint,
  signatureHeader,
  signWebhook,
  verifyWebhookSignature,
} from "#shared/webhooks/signing.ts";

describe("webhook signatures", () => {
  const body = JSON.stringify({ id: "evt_1", type: "login", data: { user: "admin" } });
  const secret = "whsec_test";
  const t = 1_742_034_600;

  it("is t=<ts>,v1=<hex HMAC-SHA256 of '<ts>.<body>'>", () => {
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(signWebhook(secret, t, body)).toBe(expected);
    expect(signatureHeader([secret], t, body)).toBe(`t=${t},v1=${expected}`);
  });

  it("verifies with the right secret and a recent timestamp only", () => {
    const header = signatureHeader([secret], t, body);
    const now = t * 1000 + 10_000;
    expect(verifyWebhookSignature(header, body, secret, { now })).toBe(true);
    expect(verifyWebhookSignature(header, body, "whsec_other", { now })).toBe(false);
    expect(verifyWebhookSignature(header, `${body} `, secret, { now })).toBe(false);
    expect(verifyWebhookSignature(header, body, secret, { now: t * 1000 + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(header.replace(`t=${t}`, `t=${t + 1}`), body, secret, { now })).toBe(false);
    expect(verifyWebhookSignature("v1=abc", body, secret, { now })).toBe(false);
  });

  it("carries one v1 per secret during a rotation's grace period, each verifiable on its own", () => {
    const header = signatureHeader(["whsec_new", "whsec_old"], t, body);
    expect(header.split(",")).toHaveLength(3);
    const now = t * 1000;
    expect(verifyWebhookSignature(header, body, "whsec_new", { now })).toBe(true);
    expect(verifyWebhookSignature(header, body, "whsec_old", { now })).toBe(true);
    expect(verifyWebhookSignature(header, body, "whsec_gone", { now })).toBe(false);
  });
});

describe("webhook secrets", () => {
  it("are whsec_ + 32 random bytes and are shown masked with their last four characters", () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(newWebhookSecret()).not.toBe(s);
    expect(maskSecret(secretHint(s))).toBe(`whsec_…${s.slice(-4)}`);
    expect(maskSecret(null)).toBeNull();
  });
});

describe("webhook destinations", () => {
  it("classifies private, loopback, link-local, unique-local and reserved addresses as non-public", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "::1",
      "::",
      "fe80::1",
      "fc00::1",
      "fd12:3456::1",
      "::ffff:127.0.0.1",
      "::ffff:169.254.169.254",
      "not-an-ip",
    ]) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
    for (const a of ["93.184.215.14", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]) {
      expect(isNonPublicAddress(a), a).toBe(false);
    }
  });

  it("refuses non-https, credentials in the URL, and hosts resolving to private addresses, naming body.url", async () => {
    const strict = { allowPrivate: false };
    await expect(assertWebhookUrl("http://93.184.215.14/hook", strict)).rejects.toThrow(/body\.url: must use https/);
    await expect(assertWebhookUrl("https://user:pw@93.184.215.14/hook", strict)).rejects.toThrow(/credentials/);
    await expect(assertWebhookUrl("https://127.0.0.1/hook", strict)).rejects.toThrow(/non-public address 127\.0\.0\.1/);
    await expect(assertWebhookUrl("https://[::1]/hook", strict)).rejects.toThrow(/non-public/);
    await expect(assertWebhookUrl("https://localhost/hook", strict)).rejects.toThrow(/non-public/);
    await expect(assertWebhookUrl("https://169.254.169.254/latest/meta-data", strict)).rejects.toThrow(/non-public/);
    await expect(assertWebhookUrl("not a url", strict)).rejects.toThrow(/body\.url: not a URL/);
    await expect(assertWebhookUrl("https://93.184.215.14/hook", strict)).resolves.toBeInstanceOf(URL);
    // The operator's explicit local-mode switch allows private targets and plain http.
    await expect(assertWebhookUrl("http://127.0.0.1:8080/hook", { allowPrivate: true })).resolves.toBeInstanceOf(URL);
  });
});
