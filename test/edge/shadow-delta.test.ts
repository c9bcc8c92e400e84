/**
 * Shadow state means what it says: once the edge runs the desired version it deletes `desired` in
 * the same update as its report (conditioned on the shadow version it read), so no `delta` is left
 * for an applied change and the platform's sync state reads "applied". The real edge handler
 * against the local IoT Core; the cloud writes desired over the HTTP data plane as Warden does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ShadowName } from "#edge/contract.ts";
import { syncState } from "#shared/fleet/shadow-sync.ts";
import { type EdgeLab, startEdgeLab } from "#test/helpers/edge.ts";
import { firewallDesired, sshDesired } from "./fixtures/desired.ts";

let lab: EdgeLab;

beforeAll(async () => {
  lab = await startEdgeLab({ watch: ["$aws/things/+/shadow/name/+/update/documents"] });
});

afterAll(async () => {
  await lab?.stop();
});

type Current = { state?: { desired?: Record<string, unknown>; reported?: Record<string, unknown> } };

/** The next /update/documents of the shadow whose current state satisfies `where`. */
async function documents(thing: string, shadow: ShadowName, where: (current: Current) => boolean) {
  const message = await lab.cloud.next(`$aws/things/${thing}/shadow/name/${shadow}/update/documents`, {
    where: (m) => where(((m.json as { current?: Current }).current ?? {}) as Current),
  });
  return (message.json as { current: Current }).current;
}

const untimedFirewall = (config_version: number) =>
  firewallDesired({ config_version, whitelist: [{ ip: "10.0.0.1" }], blacklist: [] });

describe("desired is cleared once applied", () => {
  it("leaves no desired and no delta after the edge applied a firewall version, and the platform reads it as applied", async () => {
    await lab.gateway("gw-delta-1");
    const cleared = documents(
      "gw-delta-1",
      "firewall",
      (c) => c.state?.reported?.config_version === 1 && c.state?.desired === undefined,
    );

    await lab.writeDesired("gw-delta-1", "firewall", untimedFirewall(1));
    await cleared;

    const doc = await lab.shadowDocument("gw-delta-1", "firewall");
    expect(doc.state.reported).toMatchObject({ config_version: 1, status: "applied" });
    expect(doc.state.desired).toBeUndefined();
    expect(doc.state.delta).toBeUndefined();
    expect(syncState({ ...doc.state, version: doc.version }, 1)).toMatchObject({ status: "applied", error: null });
    expect(syncState({ ...doc.state, version: doc.version }, 2)).toMatchObject({ status: "pending" });
  });

  it("clears an ssh desired the same way, and applies (then clears) the next version written later", async () => {
    await lab.gateway("gw-delta-2");
    const first = documents(
      "gw-delta-2",
      "ssh",
      (c) => c.state?.reported?.config_version === 1 && c.state?.desired === undefined,
    );
    await lab.writeDesired("gw-delta-2", "ssh", sshDesired({ config_version: 1 }));
    await first;

    const second = documents(
      "gw-delta-2",
      "ssh",
      (c) => c.state?.reported?.config_version === 2 && c.state?.desired === undefined,
    );
    await lab.writeDesired("gw-delta-2", "ssh", sshDesired({ config_version: 2 }));
    await second;

    const doc = await lab.shadowDocument("gw-delta-2", "ssh");
    expect(doc.state).not.toHaveProperty("delta");
    expect(doc.state).not.toHaveProperty("desired");
    expect(doc.state.reported).toMatchObject({ config_version: 2, status: "applied" });
  });

  it("keeps a firewall document with timed entries desired (the edge renders it again at its next start)", async () => {
    await lab.gateway("gw-delta-3");
    const timed = firewallDesired({ config_version: 1 });
    expect([...timed.whitelist, ...timed.blacklist].some((e) => e.expires !== undefined)).toBe(true);
    const reported = documents("gw-delta-3", "firewall", (c) => c.state?.reported?.config_version === 1);

    await lab.writeDesired("gw-delta-3", "firewall", timed);
    await reported;

    const doc = await lab.shadowDocument("gw-delta-3", "firewall");
    expect(doc.state.desired).toMatchObject({ config_version: 1 });
    expect(syncState({ ...doc.state, version: doc.version }, 1)).toMatchObject({ status: "applied" });
  });
});
