/**
 * The edge's configuration: options given in code (local mode) or read once from the environment
 * and the command line (a gateway, see warden-edge.service), resolved to one EdgeConfig with the
 * defaults of the mode: sandbox (every file under the state directory, nothing reloaded) or
 * gateway (the system's nftables and sshd files, real reload commands).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ApplyEnv } from "./apply.ts";
import type { CertificateEnv, SlotFiles } from "./certificates.ts";
import type { CertificateSlot } from "./contract.ts";
import { isLogLevel, type LogLevel } from "./logger.ts";
import type { BackoffOptions } from "./mqtt-link.ts";

export interface EdgeOptions {
  thingName: string;
  tenant: string;
  /** mqtts://…:8883 with `tls` on a gateway; mqtt://127.0.0.1:port locally. */
  mqttUrl: string;
  /** The edge's own state; in sandbox mode also the root of every artefact. */
  stateDir: string;
  sandbox?: boolean;
  tls?: { certPath: string; keyPath: string; caPath?: string };
  tools?: Partial<ApplyEnv["tools"]>;
  paths?: Partial<ApplyEnv["paths"]>;
  commands?: Partial<ApplyEnv["commands"]>;
  /** A file to follow, `journal` (journalctl -k), or null to publish no firewall logs. */
  firewallLog?: string | null;
  /** A file to follow, `journal` (journalctl for sshd), or null to publish no session events. */
  authLog?: string | null;
  /** 0 disables metrics. */
  metricsIntervalMs?: number;
  /** Where the listening sockets are read (`tcp`, `tcp6`, `udp`, `udp6`); default /proc/net. */
  procNetDir?: string;
  /** How often the posture for Warden's scans (ports, rule counters, drift, weak keys) is reported; 0 disables. */
  postureIntervalMs?: number;
  backoff?: BackoffOptions;
  logLevel?: LogLevel;
  certificates?: {
    openssl?: string;
    slots?: Partial<Record<CertificateSlot, Partial<SlotFiles>>>;
    /** Default webroot for HTTP-01 files when the shadow names none. */
    webroot?: string;
    /** A slot without a certificate gets a self-signed one for this name at start (local mode). */
    selfSignedName?: string;
  };
}

export interface CertificatesConfig {
  env: CertificateEnv;
  webroot: string;
  selfSignedName: string | null;
}

export interface EdgeConfig {
  thingName: string;
  tenant: string;
  mqttUrl: string;
  stateDir: string;
  sandbox: boolean;
  tls?: { certPath: string; keyPath: string; caPath?: string };
  apply: Omit<ApplyEnv, "now">;
  firewallLog: string | null;
  authLog: string | null;
  metricsIntervalMs: number;
  procNetDir: string;
  postureIntervalMs: number;
  backoff: BackoffOptions;
  logLevel: LogLevel;
  certificates: CertificatesConfig;
}

const NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const SYSTEM_HOST_KEYS = ["/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_rsa_key"];

export function resolveEdgeConfig(opts: EdgeOptions): EdgeConfig {
  if (!NAME.test(opts.thingName)) throw new Error(`thing name must match ${NAME}: "${opts.thingName}"`);
  if (!NAME.test(opts.tenant)) throw new Error(`tenant must match ${NAME}: "${opts.tenant}"`);
  if (!/^(mqtts?|tcp|ssl):\/\//.test(opts.mqttUrl))
    throw new Error(`MQTT URL must be mqtt:// or mqtts://: "${opts.mqttUrl}"`);
  const sandbox = opts.sandbox ?? false;
  const stateDir = resolve(opts.stateDir);
  const tools = { nft: "/usr/sbin/nft", sshd: "/usr/sbin/sshd", sshKeygen: "/usr/bin/ssh-keygen", ...opts.tools };

  const etc = (...parts: string[]) => join(stateDir, "etc", ...parts);
  const paths: ApplyEnv["paths"] = sandbox
    ? {
        nftRuleset: etc("nftables.d", "warden.nft"),
        sshdConfig: etc("ssh", "sshd_config"),
        sshBanner: etc("ssh", "banner"),
        authorizedKeysDir: etc("ssh", "authorized_keys"),
        authorizedKeysLastGoodDir: etc("ssh", "authorized_keys.last-good"),
        hostKeys: [etc("ssh", "ssh_host_ed25519_key")],
        sshdPidFile: join(stateDir, "run", "sshd.pid"),
        ...opts.paths,
      }
    : {
        nftRuleset: "/etc/nftables.d/warden.nft",
        sshdConfig: "/etc/ssh/sshd_config",
        sshBanner: "/etc/ssh/warden/banner",
        authorizedKeysDir: "/etc/ssh/warden/authorized_keys",
        authorizedKeysLastGoodDir: "/etc/ssh/warden/authorized_keys.last-good",
        hostKeys: SYSTEM_HOST_KEYS.filter((key) => existsSync(key)),
        ...opts.paths,
      };
  const commands: ApplyEnv["commands"] = sandbox
    ? { reloadFirewall: null, reloadSsh: null, stopSsh: null, ...opts.commands }
    : {
        reloadFirewall: [tools.nft, "-f", paths.nftRuleset],
        reloadSsh: ["systemctl", "reload-or-restart", "ssh"],
        stopSsh: ["systemctl", "stop", "ssh"],
        ...opts.commands,
      };

  const certDir = sandbox ? etc("warden", "certs") : "/etc/warden/certs";
  const slotFiles = (slot: CertificateSlot, reload: string[], services: string[]): SlotFiles => ({
    certPath: join(certDir, slot, "cert.pem"),
    keyPath: join(certDir, slot, "key.pem"),
    reload: sandbox ? null : reload,
    services: sandbox ? [] : services,
    ...opts.certificates?.slots?.[slot],
  });
  const certificates: CertificatesConfig = {
    env: {
      openssl: opts.certificates?.openssl ?? "/usr/bin/openssl",
      keysDir: join(stateDir, "state", "keys"),
      slots: {
        https: slotFiles("https", ["systemctl", "reload", "nginx"], ["nginx"]),
        mqtt: slotFiles("mqtt", ["systemctl", "reload-or-restart", "mosquitto"], ["mosquitto"]),
      },
    },
    webroot: opts.certificates?.webroot ?? (sandbox ? join(stateDir, "www") : "/var/www/html"),
    selfSignedName: opts.certificates?.selfSignedName ?? null,
  };

  return {
    thingName: opts.thingName,
    tenant: opts.tenant,
    mqttUrl: opts.mqttUrl,
    stateDir,
    sandbox,
    ...(opts.tls && { tls: opts.tls }),
    apply: { sandbox, tools, paths, commands },
    firewallLog:
      opts.firewallLog === undefined
        ? sandbox
          ? join(stateDir, "log", "kern.log")
          : "/var/log/kern.log"
        : opts.firewallLog,
    authLog:
      opts.authLog === undefined ? (sandbox ? join(stateDir, "log", "auth.log") : "/var/log/auth.log") : opts.authLog,
    metricsIntervalMs: opts.metricsIntervalMs ?? 60_000,
    procNetDir: opts.procNetDir ?? "/proc/net",
    postureIntervalMs: opts.postureIntervalMs ?? 300_000,
    backoff: opts.backoff ?? { initialMs: 1_000, maxMs: 60_000 },
    logLevel: opts.logLevel ?? "info",
    certificates,
  };
}

export const USAGE = `warden-edge: applies Warden's firewall and SSH shadows on this gateway and reports back.

Options (each also as an environment variable; the command line wins):
  --thing <name>              WARDEN_THING_NAME       IoT thing name of this gateway
  --tenant <id>               WARDEN_TENANT           tenant the gateway belongs to
  --mqtt-url <url>            WARDEN_MQTT_URL         mqtts://<iot-endpoint>:8883 (mqtt://host:port locally)
  --cert <file>               WARDEN_MQTT_CERT        device certificate (PEM)
  --key <file>                WARDEN_MQTT_KEY         device private key (PEM)
  --ca <file>                 WARDEN_MQTT_CA          Amazon root CA (PEM)
  --state-dir <dir>           WARDEN_STATE_DIR        default /var/lib/warden-edge
  --sandbox                   WARDEN_SANDBOX=1        write every artefact under the state dir, reload nothing
  --nft <path>                WARDEN_NFT_BIN          default /usr/sbin/nft
  --sshd <path>               WARDEN_SSHD_BIN         default /usr/sbin/sshd
  --ssh-keygen <path>         WARDEN_SSH_KEYGEN_BIN   default /usr/bin/ssh-keygen
  --reload-firewall <cmd>     WARDEN_RELOAD_FIREWALL  default "nft -f /etc/nftables.d/warden.nft"; "none" disables
  --reload-ssh <cmd>          WARDEN_RELOAD_SSH       default "systemctl reload-or-restart ssh"; "none" disables
  --stop-ssh <cmd>            WARDEN_STOP_SSH         default "systemctl stop ssh"; "none" disables
  --firewall-log <src>        WARDEN_FIREWALL_LOG     file to follow, "journal", or "none"; default /var/log/kern.log
  --auth-log <src>            WARDEN_AUTH_LOG         file to follow, "journal", or "none"; default /var/log/auth.log
  --metrics-interval <s>      WARDEN_METRICS_INTERVAL_SECONDS  default 60; 0 disables
  --log-level <level>         WARDEN_LOG_LEVEL        debug | info | warn | error | silent
  --help
`;

/** Reads options from the environment and the command line; `help` when asked for usage. */
export function edgeOptionsFromEnv(env: NodeJS.ProcessEnv, argv: string[]): EdgeOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      thing: { type: "string" },
      tenant: { type: "string" },
      "mqtt-url": { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      ca: { type: "string" },
      "state-dir": { type: "string" },
      sandbox: { type: "boolean" },
      nft: { type: "string" },
      sshd: { type: "string" },
      "ssh-keygen": { type: "string" },
      "reload-firewall": { type: "string" },
      "reload-ssh": { type: "string" },
      "stop-ssh": { type: "string" },
      "firewall-log": { type: "string" },
      "auth-log": { type: "string" },
      "metrics-interval": { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) return "help";

  const pick = (flag: string | undefined, name: string) => flag ?? (env[name] || undefined);
  const required = (flag: string | undefined, name: string, option: string) => {
    const value = pick(flag, name);
    if (!value) throw new Error(`missing ${option} (or ${name}); see --help`);
    return value;
  };
  const command = (value: string | undefined) =>
    value === undefined ? undefined : value === "none" ? null : value.split(/\s+/).filter(Boolean);
  const source = (value: string | undefined) => (value === undefined ? undefined : value === "none" ? null : value);

  const cert = pick(values.cert, "WARDEN_MQTT_CERT");
  const key = pick(values.key, "WARDEN_MQTT_KEY");
  const ca = pick(values.ca, "WARDEN_MQTT_CA");
  if ((cert && !key) || (key && !cert)) throw new Error("--cert and --key go together");
  const metrics = pick(values["metrics-interval"], "WARDEN_METRICS_INTERVAL_SECONDS");
  const metricsSeconds = metrics === undefined ? undefined : Number(metrics);
  if (metricsSeconds !== undefined && (!Number.isFinite(metricsSeconds) || metricsSeconds < 0)) {
    throw new Error(`metrics interval must be a number of seconds: "${metrics}"`);
  }
  const logLevel = pick(values["log-level"], "WARDEN_LOG_LEVEL");
  if (logLevel !== undefined && !isLogLevel(logLevel)) throw new Error(`unknown log level "${logLevel}"`);

  const reloadFirewall = command(pick(values["reload-firewall"], "WARDEN_RELOAD_FIREWALL"));
  const reloadSsh = command(pick(values["reload-ssh"], "WARDEN_RELOAD_SSH"));
  const stopSsh = command(pick(values["stop-ssh"], "WARDEN_STOP_SSH"));
  const nft = pick(values.nft, "WARDEN_NFT_BIN");
  const sshd = pick(values.sshd, "WARDEN_SSHD_BIN");
  const sshKeygen = pick(values["ssh-keygen"], "WARDEN_SSH_KEYGEN_BIN");
  const firewallLog = source(pick(values["firewall-log"], "WARDEN_FIREWALL_LOG"));
  const authLog = source(pick(values["auth-log"], "WARDEN_AUTH_LOG"));

  return {
    thingName: required(values.thing, "WARDEN_THING_NAME", "--thing"),
    tenant: required(values.tenant, "WARDEN_TENANT", "--tenant"),
    mqttUrl: required(values["mqtt-url"], "WARDEN_MQTT_URL", "--mqtt-url"),
    stateDir: pick(values["state-dir"], "WARDEN_STATE_DIR") ?? "/var/lib/warden-edge",
    sandbox: values.sandbox ?? ["1", "true", "yes"].includes((env.WARDEN_SANDBOX ?? "").toLowerCase()),
    ...(cert && key && { tls: { certPath: cert, keyPath: key, ...(ca && { caPath: ca }) } }),
    tools: { ...(nft && { nft }), ...(sshd && { sshd }), ...(sshKeygen && { sshKeygen }) },
    commands: {
      ...(reloadFirewall !== undefined && { reloadFirewall }),
      ...(reloadSsh !== undefined && { reloadSsh }),
      ...(stopSsh !== undefined && { stopSsh }),
    },
    ...(firewallLog !== undefined && { firewallLog }),
    ...(authLog !== undefined && { authLog }),
    ...(metricsSeconds !== undefined && { metricsIntervalMs: metricsSeconds * 1000 }),
    ...(logLevel !== undefined && { logLevel }),
  };
}
