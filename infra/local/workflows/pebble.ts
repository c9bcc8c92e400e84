/**
 * Local mode's ACME CA: Debian's `pebble` with `pebble-challtestsrv` as its DNS, which resolves
 * every name (the gateways' included) to loopback, so HTTP-01 validation reaches the HTTP server
 * on this machine that serves the challenge files (`httpPort`). Pebble's TLS certificate is made
 * here at start (openssl: a throwaway CA and a localhost leaf), and only the ACME client trusts it
 * (WARDEN_ACME_CA_FILE). Without pebble installed, `startPebble` says so and answers undefined.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Pebble {
  directoryUrl: string;
  /** The CA certificate that signed pebble's TLS certificate (trust it for the ACME client only). */
  caFile: string;
  /** The port pebble's validation authority connects to for HTTP-01. */
  httpPort: number;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  dir: string;
  /** ACME directory port (default ACME_PORT or 14000). */
  port?: number;
  managementPort?: number;
  /** Where HTTP-01 challenge files are served (default 5002). */
  httpPort?: number;
  dnsPort?: number;
  /** Answers each challenge without looking (tests of the CA-side steps only). */
  alwaysValid?: boolean;
}

export const pebbleInstalled = (): boolean =>
  ["/usr/bin/pebble", "/usr/local/bin/pebble"].some((p) => existsSync(p)) &&
  ["/usr/bin/pebble-challtestsrv", "/usr/local/bin/pebble-challtestsrv"].some((p) => existsSync(p));

async function tlsMaterial(dir: string) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  await ssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "30",
    "-subj",
    "/CN=Warden local ACME CA",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
  );
  await ssl(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    f("key.pem"),
    "-out",
    f("leaf.csr"),
  );
  await writeFile(f("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  await ssl(
    "x509",
    "-req",
    "-in",
    f("leaf.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-days",
    "30",
    "-extfile",
    f("ext.cnf"),
    "-out",
    f("cert.pem"),
  );
  return { ca: f("ca.pem"), cert: f("cert.pem"), key: f("key.pem") };
}

function directoryUp(url: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export async function startPebble(o: PebbleOptions): Promise<Pebble | undefined> {
  if (!pebbleInstalled()) return undefined;
  const port = o.port ?? Number(process.env.ACME_PORT ?? 14000);
  const managementPort = o.managementPort ?? port + 1000;
  const httpPort = o.httpPort ?? 5002;
  const dnsPort = o.dnsPort ?? 8053;
  const tls = await tlsMaterial(o.dir);
  const config = join(o.dir, "pebble-config.json");
  await writeFile(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: tls.cert,
        privateKey: tls.key,
        httpPort,
        tlsPort: httpPort + 1,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const children: ChildProcess[] = [];
  const dns = spawn(
    "pebble-challtestsrv",
    [
      "-defaultIPv4",
      "127.0.0.1",
      "-defaultIPv6",
      "",
      "-dns01",
      `127.0.0.1:${dnsPort}`,
      "-http01",
      "",
      "-https01",
      "",
      "-tlsalpn01",
      "",
      "-management",
      `127.0.0.1:${dnsPort + 2}`,
    ],
    { stdio: "ignore" },
  );
  children.push(dns);
  const ca = spawn("pebble", ["-config", config, "-dnsserver", `127.0.0.1:${dnsPort}`], {
    stdio: "ignore",
    env: {
      ...process.env,
      // No random sleeps before validation, no nonce rejections: the flow stays fast and deterministic.
      PEBBLE_VA_NOSLEEP: "1",
      PEBBLE_WFE_NONCEREJECT: "0",
      PEBBLE_AUTHZREUSE: "0",
      ...(o.alwaysValid ? { PEBBLE_VA_ALWAYS_VALID: "1" } : {}),
    },
  });
  children.push(ca);
  const stop = async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once("exit", r));
        c.kill("SIGTERM");
        await exited;
      }
    }
  };
  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  const caPem = await import("node:fs/promises").then((fs) => fs.readFile(tls.ca));
  for (let i = 0; i < 100; i++) {
    if (ca.exitCode !== null) break;
    if (await directoryUp(directoryUrl, caPem)) return { directoryUrl, caFile: tls.ca, httpPort, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`pebble did not answer on ${directoryUrl} (is the port in use?)`);
}
