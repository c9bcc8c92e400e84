/**
 * The edge runtime: wires the pure core (reconcile, renderers, log parsers) to MQTT, the file
 * system and the clock.
 *
 * Per shadow, documents are handled one at a time in arrival order: `get` at every (re)connection,
 * then `/update/documents` (the full desired after each change). `/update/delta` only triggers a
 * fresh `get` when it names a config_version the edge has not seen in a document. Each document
 * goes through `reconcile`, and its actions run here: apply, report, terminate a session.
 *
 * Log sources and metrics become events on `warden/<tenant>/<thing>/events`: firewall log lines and
 * failed SSH logins in small batches, SSH sessions one by one. Each metrics sample also carries how
 * many failed logins and firewall drops were seen since the previous one (metrics.ts `LogEventCounts`).
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ApplyEnv, applyFirewall, applySsh } from "./apply.ts";
import { AuthFailureTracker } from "./auth-failures.ts";
import { CertificateAgent } from "./certificate-agent.ts";
import { ensureSelfSigned } from "./certificates.ts";
import { type EdgeConfig, type EdgeOptions, resolveEdgeConfig } from "./config.ts";
import {
  CERTIFICATE_SLOTS,
  type EdgeEvent,
  EdgeEventSchema,
  eventsTopic,
  type FirewallLogLine,
  keysTopic,
  namedShadowTopic,
  type ReportedState,
  SETTINGS_SHADOWS,
  type SettingsShadow,
  type SshAuthFailure,
} from "./contract.ts";
import { followLines, type LineFollower } from "./follow.ts";
import { parseAuthFailureLine, parseAuthLogLine, parseFirewallLogLine } from "./log-parsers.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMetricsSampler, LogEventCounts } from "./metrics.ts";
import { type MqttLink, openMqttLink } from "./mqtt-link.ts";
import { digestOf, fitReport, listeningPorts, weakAuthorizedKeys, zeroHitRules } from "./posture.ts";
import { type EdgeAction, reconcile, reportAfterApply, reportAfterTermination } from "./reconcile.ts";
import { type LogPrefixMap, NFT_TABLE } from "./render-nft.ts";
import { SessionTable, type SshSession } from "./sessions.ts";
import { createStateStore, type StateStore } from "./state-store.ts";
import { ensureHostKey, run } from "./tools.ts";

export const EDGE_VERSION = "0.2.0";

/** Firewall log lines and failed logins are sent in batches: at most this many, at most this long after the first. */
const LOG_BATCH_LINES = 100;
const LOG_BATCH_MS = 250;

export interface EdgeRuntimeEvents {
  /** Connected, subscribed, shadows requested. */
  ready: [];
  offline: [];
  /** A report was handed to MQTT for the shadow. */
  reported: [shadow: SettingsShadow | "certificates", reported: ReportedState];
  /** An event was handed to MQTT. */
  published: [event: EdgeEvent];
  error: [error: Error];
}

export interface EdgeHandle {
  thingName: string;
  config: EdgeConfig;
  events: EventEmitter<EdgeRuntimeEvents>;
  isConnected(): boolean;
  /** Resolves once connected and subscribed (at once if it already is). */
  whenConnected(): Promise<void>;
  /** What the edge last reported for a shadow. */
  lastReport(shadow: SettingsShadow | "certificates"): ReportedState | undefined;
  sessions(): SshSession[];
  /** Reports the scan posture now (listening ports, rule counters, drift, weak keys), instead of at the next interval. */
  refreshPosture(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartEdgeOptions extends EdgeOptions {
  /** Defaults to a JSON logger on stderr at `logLevel`. */
  log?: Logger;
  now?: () => Date;
}

export async function startEdge(options: StartEdgeOptions): Promise<EdgeHandle> {
  const config = resolveEdgeConfig(options);
  const log = options.log ?? createLogger(config.logLevel, { thing: config.thingName });
  const now = options.now ?? (() => new Date());
  const applyEnv: ApplyEnv = { ...config.apply, now };

  await mkdir(join(config.stateDir, "state"), { recursive: true, mode: 0o700 });
  if (config.sandbox) {
    for (const dir of ["etc/ssh", "etc/nftables.d", "log", "run"])
      await mkdir(join(config.stateDir, dir), { recursive: true });
    for (const key of applyEnv.paths.hostKeys) {
      // Without a host key `sshd -t` fails and the ssh shadow reports why; the rest still runs.
      await ensureHostKey(applyEnv.tools.sshKeygen, key).catch((e: unknown) =>
        log("warn", "no sandbox host key", { error: e instanceof Error ? e.message : String(e) }),
      );
    }
  }
  const store = createStateStore(join(config.stateDir, "state"));
  const runtime = new EdgeRuntime(config, applyEnv, store, log, now, {
    firewall: await store.readReport("firewall"),
    ssh: await store.readReport("ssh"),
    logPrefixes: (await store.readLogPrefixes()) ?? {},
    sessions: new SessionTable((await store.readSessions()) ?? []),
  });
  const { certificates } = config;
  if (certificates.selfSignedName) {
    for (const slot of CERTIFICATE_SLOTS) {
      await ensureSelfSigned(certificates.env.slots[slot], certificates.selfSignedName, certificates.env.openssl);
    }
  }
  runtime.attachCertificates(await store.readReport("certificates"));
  await runtime.start(await readTls(config));
  return {
    thingName: config.thingName,
    config,
    events: runtime.events,
    isConnected: () => runtime.isConnected(),
    whenConnected: () =>
      runtime.isConnected()
        ? Promise.resolve()
        : new Promise<void>((resolve) => runtime.events.once("ready", () => resolve())),
    lastReport: (shadow) => runtime.lastReport(shadow),
    sessions: () => runtime.sessionList(),
    refreshPosture: () => runtime.refreshPosture(),
    stop: () => runtime.stop(),
  };
}

async function readTls(config: EdgeConfig) {
  if (!config.tls) return undefined;
  const [cert, key, ca] = await Promise.all([
    readFile(config.tls.certPath),
    readFile(config.tls.keyPath),
    config.tls.caPath ? readFile(config.tls.caPath) : Promise.resolve(undefined),
  ]);
  return { cert, key, ...(ca && { ca }) };
}

interface RuntimeState {
  firewall: ReportedState | undefined;
  ssh: ReportedState | undefined;
  logPrefixes: LogPrefixMap;
  sessions: SessionTable;
}

class EdgeRuntime {
  readonly events = new EventEmitter<EdgeRuntimeEvents>();
  private link: MqttLink | undefined;
  private readonly queues: Record<SettingsShadow, Promise<void>> = {
    firewall: Promise.resolve(),
    ssh: Promise.resolve(),
  };
  private readonly seenDesiredVersion: Record<SettingsShadow, number | undefined> = {
    firewall: undefined,
    ssh: undefined,
  };
  private readonly followers: LineFollower[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private logBatch: FirewallLogLine[] = [];
  private logBatchTimer: NodeJS.Timeout | undefined;
  private failureBatch: SshAuthFailure[] = [];
  private failureBatchTimer: NodeJS.Timeout | undefined;
  private readonly authFailures = new AuthFailureTracker();
  private readonly logEvents = new LogEventCounts();
  private readonly sampleMetrics = createMetricsSampler(undefined, this.logEvents);
  private stopping = false;
  private firewallRefreshed = false;
  private certificates: CertificateAgent | undefined;
  private certificateQueue: Promise<void> = Promise.resolve();
  /** Digest of the live files right after each successful apply: a later difference is drift. */
  private readonly appliedDigest: Partial<Record<SettingsShadow, string>> = {};

  constructor(
    private readonly config: EdgeConfig,
    private readonly applyEnv: ApplyEnv,
    private readonly store: StateStore,
    private readonly log: Logger,
    private readonly now: () => Date,
    private readonly state: RuntimeState,
  ) {
    // An EventEmitter without an error listener throws; the runtime reports errors, it does not die of them.
    this.events.on("error", () => {});
  }

  attachCertificates(previous: ReportedState | undefined) {
    this.certificates = new CertificateAgent(
      {
        env: this.config.certificates.env,
        ids: { tenant: this.config.tenant, thing: this.config.thingName },
        defaultWebroot: this.config.certificates.webroot,
        sandbox: this.config.sandbox,
        publish: (event) => this.publishEvent(event),
        report: (reported) => this.report("certificates", reported),
        log: this.log,
        now: this.now,
      },
      previous,
    );
  }

  async start(tls: { cert: Buffer; key: Buffer; ca?: Buffer } | undefined) {
    const { thingName } = this.config;
    const subscriptions = [
      ...[...SETTINGS_SHADOWS, "certificates" as const].flatMap((shadow) =>
        ["get/accepted", "get/rejected", "update/documents", "update/delta", "update/rejected"].map((suffix) =>
          namedShadowTopic(thingName, shadow, suffix),
        ),
      ),
      keysTopic(this.config.tenant, thingName),
    ];
    const link = openMqttLink({
      url: this.config.mqttUrl,
      clientId: thingName,
      ...(tls && { tls }),
      subscriptions,
      backoff: this.config.backoff,
      log: this.log,
    });
    this.link = link;
    link.events.on("message", (topic, payload) => this.onMessage(topic, payload));
    link.events.on("ready", () => this.onReady());
    link.events.on("offline", () => this.events.emit("offline"));

    if (this.config.firewallLog) {
      this.followers.push(
        await followLines(this.config.firewallLog, {
          onLines: (lines) => this.onFirewallLines(lines),
          onError: (e) => this.fail("firewall log", e),
          defaultJournalArgs: ["-k"],
        }),
      );
      this.logEvents.followFirewallLog();
    }
    if (this.config.authLog) {
      this.followers.push(
        await followLines(this.config.authLog, {
          onLines: (lines) => this.onAuthLines(lines),
          onError: (e) => this.fail("auth log", e),
          defaultJournalArgs: ["-t", "sshd", "-t", "sshd-session"],
        }),
      );
      this.logEvents.followAuthLog();
    }
    if (this.config.postureIntervalMs > 0) {
      this.timers.push(setInterval(() => void this.refreshPosture(), this.config.postureIntervalMs));
    }
    if (this.config.metricsIntervalMs > 0) {
      this.timers.push(
        setInterval(() => this.publishEvent(this.sampleMetrics(this.now())), this.config.metricsIntervalMs),
      );
    }
  }

  isConnected(): boolean {
    return this.link?.isReady() ?? false;
  }

  lastReport(shadow: SettingsShadow | "certificates"): ReportedState | undefined {
    return shadow === "certificates" ? this.certificates?.lastReport() : this.state[shadow];
  }

  sessionList(): SshSession[] {
    return this.state.sessions.list();
  }

  async stop() {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.logBatchTimer) clearTimeout(this.logBatchTimer);
    if (this.failureBatchTimer) clearTimeout(this.failureBatchTimer);
    await Promise.all(this.followers.map((f) => f.close()));
    await Promise.all([...Object.values(this.queues), this.certificateQueue]);
    await this.link?.close();
  }

  private onReady() {
    this.events.emit("ready");
    for (const shadow of SETTINGS_SHADOWS) this.requestShadow(shadow);
    if (this.certificates) {
      this.requestShadow("certificates");
      this.enqueueCertificates((agent) => agent.publishInventory());
    }
    if (this.config.metricsIntervalMs > 0) this.publishEvent(this.sampleMetrics(this.now()));
  }

  private requestShadow(shadow: SettingsShadow | "certificates") {
    this.link?.publish(
      namedShadowTopic(this.config.thingName, shadow, "get"),
      JSON.stringify({ clientToken: randomUUID() }),
    );
  }

  private enqueueCertificates(work: (agent: CertificateAgent) => Promise<void>) {
    const agent = this.certificates;
    if (!agent) return;
    this.certificateQueue = this.certificateQueue
      .then(() => (this.stopping ? undefined : work(agent)))
      .catch((e: unknown) => this.fail("certificates", e));
  }

  private onCertificatesMessage(suffix: string, body: unknown) {
    switch (suffix) {
      case "get/accepted":
        this.enqueueCertificates((agent) => agent.onDocument(field(body, "state", "desired")));
        break;
      case "update/documents":
        this.enqueueCertificates((agent) => agent.onDocument(field(body, "current", "state", "desired")));
        break;
      case "update/rejected":
        this.log("warn", "shadow update rejected", { shadow: "certificates", response: body });
        break;
    }
  }

  private onMessage(topic: string, payload: Buffer) {
    if (topic === keysTopic(this.config.tenant, this.config.thingName)) {
      const body = parseJson(payload);
      this.enqueueCertificates((agent) => agent.onKeyMessage(body));
      return;
    }
    const prefix = `$aws/things/${this.config.thingName}/shadow/name/`;
    if (!topic.startsWith(prefix)) return;
    const [name, ...rest] = topic.slice(prefix.length).split("/");
    if (name === "certificates") {
      this.onCertificatesMessage(rest.join("/"), parseJson(payload));
      return;
    }
    const shadow = SETTINGS_SHADOWS.find((s) => s === name);
    if (!shadow) return;
    const suffix = rest.join("/");
    const body = parseJson(payload);

    switch (suffix) {
      case "get/accepted":
        this.enqueueDocument(
          shadow,
          field(body, "state", "desired"),
          field(body, "state", "reported"),
          field(body, "version"),
        );
        break;
      case "update/documents":
        this.enqueueDocument(
          shadow,
          field(body, "current", "state", "desired"),
          field(body, "current", "state", "reported"),
          field(body, "current", "version"),
        );
        break;
      case "get/rejected":
        // 404: no shadow yet. Reconciling "nothing desired" re-creates our reported state if we have one.
        if (field(body, "code") === 404) this.enqueueDocument(shadow, undefined, undefined);
        else this.log("warn", "shadow get rejected", { shadow, response: body });
        break;
      case "update/delta": {
        const version = field(body, "state", "config_version");
        if (typeof version === "number" && version !== this.seenDesiredVersion[shadow]) this.requestShadow(shadow);
        break;
      }
      case "update/rejected":
        this.log("warn", "shadow update rejected", { shadow, response: body });
        // 409: the shadow moved since the document we acted on (a clearing update lost the race):
        // read it again; reconcile then applies the newer desired, or reports and clears again.
        if (field(body, "code") === 409) this.requestShadow(shadow);
        break;
    }
  }

  private enqueueDocument(shadow: SettingsShadow, desired: unknown, reported: unknown, shadowVersion?: unknown) {
    const version = field(desired, "config_version");
    if (typeof version === "number") this.seenDesiredVersion[shadow] = version;
    this.queues[shadow] = this.queues[shadow]
      .then(async () => {
        if (this.stopping) return;
        const refreshTimedFirewall = shadow === "firewall" && !this.firewallRefreshed && desired != null;
        if (refreshTimedFirewall) this.firewallRefreshed = true;
        const actions = reconcile(desired, reported, {
          shadow,
          local: this.state[shadow],
          activeSessions: this.state.sessions.ids(),
          refreshTimedFirewall,
          now: this.now(),
        });
        const version = typeof shadowVersion === "number" ? shadowVersion : undefined;
        for (const action of actions) await this.execute(action, version);
      })
      .catch((e: unknown) => this.fail(`${shadow} reconcile`, e));
  }

  /** `shadowVersion`: the version of the shadow document the action comes from (conditions a clearing update). */
  private async execute(action: EdgeAction, shadowVersion?: number) {
    switch (action.kind) {
      case "apply-firewall": {
        const started = Date.now();
        const result = await applyFirewall(action.config, this.applyEnv);
        if (result.logPrefixes) {
          this.state.logPrefixes = result.logPrefixes;
          await this.store.writeLogPrefixes(result.logPrefixes);
        }
        this.log(result.outcome.ok ? "info" : "warn", "firewall apply", {
          ...result.outcome,
          ms: Date.now() - started,
        });
        if (result.outcome.ok) this.appliedDigest.firewall = await this.liveDigest("firewall");
        await this.report(
          "firewall",
          reportAfterApply(result.outcome, this.state.firewall, this.now()),
          action.clearDesired && result.outcome.ok ? shadowVersion : undefined,
        );
        await this.postureNow();
        return;
      }
      case "apply-ssh": {
        const started = Date.now();
        const outcome = await applySsh(action.config, this.applyEnv);
        this.log(outcome.ok ? "info" : "warn", "ssh apply", { ...outcome, ms: Date.now() - started });
        if (outcome.ok) this.appliedDigest.ssh = await this.liveDigest("ssh");
        await this.report(
          "ssh",
          reportAfterApply(outcome, this.state.ssh, this.now()),
          action.clearDesired && outcome.ok ? shadowVersion : undefined,
        );
        await this.postureNow();
        return;
      }
      case "report": {
        // A clearing report goes out after this document's other actions (a terminated session
        // updates the report): it carries the latest one.
        const reported = action.clearDesired ? (this.state[action.shadow] ?? action.reported) : action.reported;
        await this.report(action.shadow, reported, action.clearDesired ? shadowVersion : undefined);
        return;
      }
      case "terminate-session":
        await this.terminateSession(action.sessionId);
        return;
    }
  }

  /**
   * Writes the report; with `clearDesiredAt` (the shadow version the applied document came from) the
   * same update deletes `desired`, and IoT Core refuses it (409) if the cloud wrote a newer one since.
   */
  private async report(shadow: SettingsShadow | "certificates", reported: ReportedState, clearDesiredAt?: number) {
    if (shadow !== "certificates") this.state[shadow] = reported;
    await this.store.writeReport(shadow, reported);
    const state = { reported: { ...reported, edge_version: EDGE_VERSION } };
    const body =
      clearDesiredAt === undefined
        ? { state, clientToken: randomUUID() }
        : { state: { ...state, desired: null }, version: clearDesiredAt, clientToken: randomUUID() };
    this.link?.publish(namedShadowTopic(this.config.thingName, shadow, "update"), JSON.stringify(body));
    this.events.emit("reported", shadow, reported);
  }

  /** The live artefacts of a shadow, digested (drift detection). */
  private liveDigest(shadow: SettingsShadow): Promise<string> {
    const p = this.applyEnv.paths;
    return shadow === "firewall" ? digestOf([p.nftRuleset]) : digestOf([p.sshdConfig], [p.authorizedKeysDir]);
  }

  /**
   * Reports what Warden's scans judge (posture.ts) with each shadow's last report, when it changed:
   * the firewall's listening ports, zero-hit rules and drift; SSH's weak keys and drift. Serialised
   * with the shadow's documents, so it never races an apply.
   */
  refreshPosture(): Promise<void> {
    const queued = Promise.all([this.queues.firewall, this.queues.ssh]).then(() => this.postureNow());
    this.queues.firewall = queued.catch((e: unknown) => this.fail("posture", e));
    return this.queues.firewall;
  }

  private async postureNow(): Promise<void> {
    const env = this.applyEnv;
    const drift = async (shadow: SettingsShadow, file: string) => {
      const applied = this.appliedDigest[shadow];
      if (!applied) return null;
      return (await this.liveDigest(shadow)) === applied
        ? null
        : `${file} was changed on the gateway after Warden applied it`;
    };
    const firewall = this.state.firewall;
    if (firewall) {
      const listening = await listeningPorts(this.config.procNetDir);
      const counters = env.sandbox
        ? null
        : await run(env.tools.nft, ["-j", "list", "table", "inet", NFT_TABLE], { timeoutMs: 10_000 })
            .then((r) => (r.code === 0 ? zeroHitRules(r.stdout) : null))
            .catch(() => null);
      await this.reportPosture("firewall", firewall, {
        listening,
        unused_rules: counters,
        counters_at: counters ? this.now().toISOString() : null,
        drift: await drift("firewall", "warden.nft"),
      });
    }
    const ssh = this.state.ssh;
    if (ssh) {
      await this.reportPosture("ssh", ssh, {
        weak_keys: await weakAuthorizedKeys(env.paths.authorizedKeysDir),
        drift: await drift("ssh", "sshd_config or authorized_keys"),
      });
    }
  }

  private async reportPosture(shadow: SettingsShadow, last: ReportedState, posture: Partial<ReportedState>) {
    const next = fitReport({ ...last, ...posture });
    const same = (k: keyof ReportedState) => JSON.stringify(last[k] ?? null) === JSON.stringify(next[k] ?? null);
    if (["listening", "unused_rules", "drift", "weak_keys"].every((k) => same(k as keyof ReportedState))) return;
    await this.report(shadow, { ...next, updated_at: this.now().toISOString() });
  }

  private async terminateSession(sessionId: string) {
    const ended = this.state.sessions.terminate(sessionId, this.now());
    if (!ended) return;
    if (!this.config.sandbox) {
      try {
        // The sshd process of a connection; ending it closes the session.
        process.kill(ended.session.process_id, "SIGTERM");
      } catch (e) {
        this.log("warn", "session process already gone", { session_id: sessionId, error: String(e) });
      }
    }
    await this.store.writeSessions(this.state.sessions.list());
    this.publishEvent(ended.event);
    await this.report("ssh", reportAfterTermination(this.state.ssh, sessionId, this.now()));
  }

  private onFirewallLines(lines: string[]) {
    const now = this.now();
    for (const line of lines) {
      const parsed = parseFirewallLogLine(line, this.state.logPrefixes, now);
      if (parsed) {
        this.logBatch.push(parsed);
        this.logEvents.addFirewallLines([parsed]);
      }
      if (this.logBatch.length >= LOG_BATCH_LINES) this.flushLogBatch();
    }
    if (this.logBatch.length > 0 && !this.logBatchTimer) {
      this.logBatchTimer = setTimeout(() => this.flushLogBatch(), LOG_BATCH_MS);
    }
  }

  private flushLogBatch() {
    if (this.logBatchTimer) clearTimeout(this.logBatchTimer);
    this.logBatchTimer = undefined;
    const lines = this.logBatch;
    this.logBatch = [];
    if (lines.length > 0) this.publishEvent({ type: "firewall_log", timestamp: this.now().toISOString(), lines });
  }

  private onAuthLines(lines: string[]) {
    const now = this.now();
    let changed = false;
    for (const line of lines) {
      const parsed = parseAuthLogLine(line, now);
      const event = parsed ? this.state.sessions.apply(parsed, now) : null;
      if (event) {
        changed = true;
        this.publishEvent(event);
        continue;
      }
      const failedLine = parsed ? null : parseAuthFailureLine(line, now);
      const failure = failedLine ? this.authFailures.apply(failedLine) : null;
      if (failure) {
        this.failureBatch.push(failure);
        this.logEvents.addFailedLogins(1);
      }
      if (this.failureBatch.length >= LOG_BATCH_LINES) this.flushFailureBatch();
    }
    if (this.failureBatch.length > 0 && !this.failureBatchTimer) {
      this.failureBatchTimer = setTimeout(() => this.flushFailureBatch(), LOG_BATCH_MS);
    }
    if (changed) this.store.writeSessions(this.state.sessions.list()).catch((e: unknown) => this.fail("sessions", e));
  }

  private flushFailureBatch() {
    if (this.failureBatchTimer) clearTimeout(this.failureBatchTimer);
    this.failureBatchTimer = undefined;
    const failures = this.failureBatch;
    this.failureBatch = [];
    if (failures.length > 0) {
      this.publishEvent({ type: "ssh_auth_failure", timestamp: this.now().toISOString(), failures });
    }
  }

  private publishEvent(event: EdgeEvent) {
    const checked = EdgeEventSchema.safeParse(event);
    if (!checked.success) {
      this.fail("event", new Error(`event does not match the contract: ${checked.error.message}`));
      return;
    }
    this.link?.publish(eventsTopic(this.config.tenant, this.config.thingName), JSON.stringify(checked.data));
    this.events.emit("published", checked.data);
  }

  private fail(where: string, e: unknown) {
    const error = e instanceof Error ? e : new Error(String(e));
    this.log("error", `${where} failed`, { error: error.message });
    this.events.emit("error", error);
  }
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** A nested field of untrusted JSON, or undefined. */
function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}
