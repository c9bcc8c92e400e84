/**
 * Envelope encryption: a fresh data key per secret, the tenant bound in as AAD (and as the KMS
 * EncryptionContext in AWS), and every kind of tampering refused.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { decryptSecret, encryptSecret } from "#shared/crypto/envelope.ts";

describe("encryptSecret / decryptSecret (local master key)", () => {
  it("round-trips any text for the same tenant, and never stores the plaintext", async () => {
    const secret = "whsec_0123456789abcdef — ünïcödé ✓";
    const sealed = await encryptSecret("acme", secret);
    expect(sealed.startsWith("v1.local.")).toBe(true);
    expect(sealed).not.toContain("whsec_");
    expect(sealed.split(".")).toHaveLength(6);
    expect(await decryptSecret("acme", sealed)).toBe(secret);
  });

  it("uses a new data key and IV each time, so equal secrets do not look equal", async () => {
    const a = await encryptSecret("acme", "same");
    const b = await encryptSecret("acme", "same");
    expect(a).not.toBe(b);
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
  });

  it("refuses another tenant's ciphertext", async () => {
    const sealed = await encryptSecret("acme", "s3cret");
    await expect(decryptSecret("globex", sealed)).rejects.toThrow();
  });

  it("refuses a tampered ciphertext, tag or wrapped key, and malformed input", async () => {
    const sealed = await encryptSecret("acme", "s3cret-value");
    const parts = sealed.split(".");
    const flip = (s: string) => {
      const b = Buffer.from(s, "base64url");
      b[0] = (b[0] ?? 0) ^ 1;
      return b.toString("base64url");
    };
    for (const i of [2, 3, 4, 5]) {
      const bad = [...parts];
      bad[i] = flip(bad[i] ?? "");
      await expect(decryptSecret("acme", bad.join("."))).rejects.toThrow();
    }
    await expect(decryptSecret("acme", "not-an-envelope")).rejects.toThrow(/not an envelope/);
    await expect(decryptSecret("acme", ["v1", "rot13", ...parts.slice(2)].join("."))).rejects.toThrow(/unknown scheme/);
  });

  it("encrypts the empty string too", async () => {
    expect(await decryptSecret("acme", await encryptSecret("acme", ""))).toBe("");
  });
});

describe("encryptSecret / decryptSecret (KMS)", () => {
  afterEach(() => {
    vi.doUnmock("@aws-sdk/client-kms");
    vi.resetModules();
    delete process.env.DATA_KMS_KEY_ID;
  });

  it("asks KMS for an AES-256 data key with the tenant as EncryptionContext, and unwraps with the same context", async () => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const dataKey = Buffer.alloc(32, 7);
    class Command {
      constructor(readonly input: Record<string, unknown>) {}
    }
    class GenerateDataKeyCommand extends Command {}
    class DecryptCommand extends Command {}
    vi.doMock("@aws-sdk/client-kms", () => ({
      GenerateDataKeyCommand,
      DecryptCommand,
      KMSClient: class {
        async send(cmd: Command) {
          sent.push({ name: cmd.constructor.name, input: cmd.input });
          if (cmd instanceof GenerateDataKeyCommand) {
            return {
              Plaintext: new Uint8Array(dataKey),
              CiphertextBlob: new Uint8Array(Buffer.from("wrapped-by-kms")),
            };
          }
          const ctx = cmd.input.EncryptionContext as Record<string, string>;
          if (ctx.tenant !== "acme") throw new Error("InvalidCiphertextException");
          return { Plaintext: new Uint8Array(dataKey) };
        }
      },
    }));
    process.env.DATA_KMS_KEY_ID = "alias/warden-data";
    vi.resetModules();
    const env = await import("#shared/crypto/envelope.ts");
    const sealed = await env.encryptSecret("acme", "totp-seed");
    expect(sealed.startsWith("v1.kms.")).toBe(true);
    expect(await env.decryptSecret("acme", sealed)).toBe("totp-seed");
    await expect(env.decryptSecret("globex", sealed)).rejects.toThrow();
    expect(sent[0]).toEqual({
      name: "GenerateDataKeyCommand",
      input: { KeyId: "alias/warden-data", KeySpec: "AES_256", EncryptionContext: { tenant: "acme" } },
    });
    expect(sent[1]?.name).toBe("DecryptCommand");
    expect(sent[1]?.input.EncryptionContext).toEqual({ tenant: "acme" });
  });
});
