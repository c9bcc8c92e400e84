/**
 * SSH public keys are read from the key blob, and agree with `ssh-keygen -lf` on fingerprint,
 * size and type for every algorithm we accept; weak and malformed keys are refused naming the field.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintOf, parsePublicKey } from "#shared/fleet/ssh-keys.ts";
import { Invalid } from "#shared/kit/errors.ts";

const run = promisify(execFile);
let dir: string;

const KINDS = [
  { name: "rsa2048", args: ["-t", "rsa", "-b", "2048"] },
  { name: "rsa3072", args: ["-t", "rsa", "-b", "3072"] },
  { name: "ecdsa256", args: ["-t", "ecdsa", "-b", "256"] },
  { name: "ecdsa384", args: ["-t", "ecdsa", "-b", "384"] },
  { name: "ecdsa521", args: ["-t", "ecdsa", "-b", "521"] },
  { name: "ed25519", args: ["-t", "ed25519"] },
  { name: "rsa1024", args: ["-t", "rsa", "-b", "1024"] },
];

async function keygen(name: string, args: string[]) {
  await run("ssh-keygen", ["-q", ...args, "-N", "", "-C", `${name}@test`, "-f", join(dir, name)]);
}

async function sshKeygenLf(file: string) {
  const { stdout } = await run("ssh-keygen", ["-lf", file]);
  const m = /^(\d+) (SHA256:\S+) (.*) \((\S+)\)$/.exec(stdout.trim());
  if (!m) throw new Error(`unexpected ssh-keygen output: ${stdout}`);
  return { size: Number(m[1]), fingerprint: m[2], comment: m[3], type: m[4] };
}

function sshString(b: Buffer | string): Buffer {
  const data = Buffer.isBuffer(b) ? b : Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "warden-sshkeys-"));
  await Promise.all(KINDS.map((k) => keygen(k.name, k.args)));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parsePublicKey", () => {
  it.each(KINDS.filter((k) => k.name !== "rsa1024").map((k) => k.name))(
    "agrees with ssh-keygen -lf on a %s key",
    async (name) => {
      const file = join(dir, `${name}.pub`);
      const expected = await sshKeygenLf(file);
      const key = parsePublicKey(await readFile(file, "utf8"));
      expect(key).toMatchObject({
        fingerprint: expected.fingerprint,
        size: expected.size,
        type: expected.type,
        comment: expected.comment,
      });
    },
  );

  it("reads an RFC 4716 (SSH2) export of the same key to the same fingerprint", async () => {
    const { stdout } = await run("ssh-keygen", ["-e", "-f", join(dir, "ed25519.pub")]);
    const key = parsePublicKey(stdout);
    expect(key.fingerprint).toBe((await sshKeygenLf(join(dir, "ed25519.pub"))).fingerprint);
    expect(key.type).toBe("ED25519");
  });

  it("refuses RSA below 2048 bits with a 400 naming the field and the size", async () => {
    const text = await readFile(join(dir, "rsa1024.pub"), "utf8");
    const err = (() => {
      try {
        parsePublicKey(text);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(Invalid);
    expect((err as Invalid).message).toMatch(/^file: RSA keys must have at least 2048 bits; this key has 1024/);
    expect((err as Invalid).issues?.[0]?.loc).toEqual(["body", "file"]);
  });

  it("refuses DSA keys", () => {
    const blob = Buffer.concat([
      sshString("ssh-dss"),
      sshString(Buffer.alloc(129, 1)),
      sshString(Buffer.alloc(21, 1)),
      sshString(Buffer.alloc(128, 1)),
      sshString(Buffer.alloc(128, 1)),
    ]);
    expect(() => parsePublicKey(`ssh-dss ${blob.toString("base64")} old@box`)).toThrow(/DSA keys are refused/);
  });

  it("refuses a type word that lies about the blob, options in front, garbage and two keys", async () => {
    const ed = (await readFile(join(dir, "ed25519.pub"), "utf8")).trim();
    const [, blob] = ed.split(" ");
    expect(() => parsePublicKey(`ssh-rsa ${blob} x`)).toThrow(/says 'ssh-rsa' but its data is 'ssh-ed25519'/);
    expect(() => parsePublicKey(`command="/bin/sh" ${ed}`)).toThrow(/options are not accepted/);
    expect(() => parsePublicKey("ssh-ed25519 not*base64 x")).toThrow(/not valid base64/);
    expect(() => parsePublicKey(`${ed}\n${ed}`)).toThrow(/one key per file/);
    expect(() => parsePublicKey("")).toThrow(/holds no key/);
    const truncated = Buffer.from(blob ?? "", "base64")
      .subarray(0, 20)
      .toString("base64");
    expect(() => parsePublicKey(`ssh-ed25519 ${truncated}`)).toThrow(/truncated|32 bytes/);
  });

  it("computes the fingerprint as unpadded base64 of SHA-256 over the blob", () => {
    const fp = fingerprintOf(Buffer.from("abc"));
    expect(fp).toBe("SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
  });
});
