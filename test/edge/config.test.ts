import { describe, expect, it } from "vitest";
import { edgeOptionsFromEnv, resolveEdgeConfig } from "#edge/config.ts";

const base = {
  WARDEN_THING_NAME: "gw-1",
  WARDEN_TENANT: "acme",
  WARDEN_MQTT_URL: "mqtts://example-ats.iot.us-east-1.amazonaws.com:8883",
};

describe("edge configuration from environment and command line", () => {
  it("reads the environment, and the command line wins", () => {
    const options = edgeOptionsFromEnv({ ...base, WARDEN_STATE_DIR: "/srv/edge" }, [
      "--thing",
      "gw-2",
      "--log-level",
      "debug",
    ]);

    expect(options).toMatchObject({
      thingName: "gw-2",
      tenant: "acme",
      stateDir: "/srv/edge",
      logLevel: "debug",
      sandbox: false,
    });
  });

  it("names the missing setting", () => {
    expect(() => edgeOptionsFromEnv({ WARDEN_TENANT: "acme" }, [])).toThrow("missing --thing (or WARDEN_THING_NAME)");
  });

  it("takes the device certificate, key and CA together", () => {
    const options = edgeOptionsFromEnv(
      { ...base, WARDEN_MQTT_CERT: "/c.pem", WARDEN_MQTT_KEY: "/k.pem", WARDEN_MQTT_CA: "/ca.pem" },
      [],
    );

    expect(options).toMatchObject({ tls: { certPath: "/c.pem", keyPath: "/k.pem", caPath: "/ca.pem" } });
    expect(() => edgeOptionsFromEnv({ ...base, WARDEN_MQTT_CERT: "/c.pem" }, [])).toThrow(
      "--cert and --key go together",
    );
  });

  it("splits reload commands into arguments; 'none' turns a command or a log source off", () => {
    const options = edgeOptionsFromEnv(
      { ...base, WARDEN_RELOAD_SSH: "systemctl reload sshd", WARDEN_RELOAD_FIREWALL: "none", WARDEN_AUTH_LOG: "none" },
      ["--firewall-log", "journal"],
    );

    expect(options).toMatchObject({
      commands: { reloadSsh: ["systemctl", "reload", "sshd"], reloadFirewall: null },
      authLog: null,
      firewallLog: "journal",
    });
  });

  it("answers --help", () => {
    expect(edgeOptionsFromEnv({}, ["--help"])).toBe("help");
  });
});

describe("resolved edge configuration", () => {
  it("keeps every artefact under the state directory and reloads nothing in sandbox mode", () => {
    const config = resolveEdgeConfig({
      thingName: "gw-1",
      tenant: "acme",
      mqttUrl: "mqtt://127.0.0.1:1883",
      stateDir: "/tmp/gw-1",
      sandbox: true,
    });

    expect(config.apply.paths).toMatchObject({
      nftRuleset: "/tmp/gw-1/etc/nftables.d/warden.nft",
      sshdConfig: "/tmp/gw-1/etc/ssh/sshd_config",
      hostKeys: ["/tmp/gw-1/etc/ssh/ssh_host_ed25519_key"],
    });
    expect(config.apply.commands).toEqual({ reloadFirewall: null, reloadSsh: null, stopSsh: null });
    expect(config.firewallLog).toBe("/tmp/gw-1/log/kern.log");
  });

  it("uses the system's files and reload commands on a gateway", () => {
    const config = resolveEdgeConfig({
      thingName: "gw-1",
      tenant: "acme",
      mqttUrl: base.WARDEN_MQTT_URL,
      stateDir: "/var/lib/warden-edge",
    });

    expect(config.apply.paths.nftRuleset).toBe("/etc/nftables.d/warden.nft");
    expect(config.apply.commands.reloadFirewall).toEqual(["/usr/sbin/nft", "-f", "/etc/nftables.d/warden.nft"]);
    expect(config.apply.commands.reloadSsh).toEqual(["systemctl", "reload-or-restart", "ssh"]);
  });

  it("refuses names that are not valid IoT thing names", () => {
    expect(() =>
      resolveEdgeConfig({ thingName: "gw/1", tenant: "acme", mqttUrl: "mqtt://h:1", stateDir: "/tmp/x" }),
    ).toThrow("thing name");
  });
});
