import { describe, expect, it } from "vitest";
import { type ShadowPublication, ShadowService } from "#infra/local/iot/shadow-service.ts";

const T0 = Date.parse("2025-03-15T10:00:00Z");

function service() {
  let now = T0;
  const shadows = new ShadowService({ now: () => now });
  const published: ShadowPublication[] = [];
  shadows.on("publish", (p) => published.push(p));
  return {
    shadows,
    published,
    advance(seconds: number) {
      now += seconds * 1000;
    },
    topics: () => published.map((p) => p.topic.replace("$aws/things/gw-1/shadow/name/firewall/", "")),
  };
}

function accepted<T>(result: { kind: "accepted"; document: T } | { kind: "rejected"; error: unknown }): T {
  if (result.kind !== "accepted") throw new Error(`expected accepted, got ${JSON.stringify(result.error)}`);
  return result.document;
}

function rejected(result: { kind: string; error?: { code: number; message: string; clientToken?: string } }) {
  if (result.kind !== "rejected" || !result.error) throw new Error(`expected rejected, got ${JSON.stringify(result)}`);
  return result.error;
}

describe("ShadowService: versions and documents", () => {
  it("creates a shadow at version 1 and increments the version on every accepted update", () => {
    const { shadows } = service();

    const first = accepted(shadows.update("gw-1", "firewall", { state: { desired: { a: 1 } } }));
    const second = accepted(shadows.update("gw-1", "firewall", { state: { reported: { a: 1 } } }));

    expect(first.version).toBe(1);
    expect(second.version).toBe(2);
    expect(accepted(shadows.get("gw-1", "firewall")).version).toBe(2);
  });

  it("echoes the clientToken in the accepted document and in every publication of the update", () => {
    const { shadows, published } = service();

    const doc = accepted(shadows.update("gw-1", "firewall", { state: { desired: { a: 1 } }, clientToken: "tok-1" }));

    expect(doc.clientToken).toBe("tok-1");
    expect(published.map((p) => (p.payload as { clientToken?: string }).clientToken)).toEqual([
      "tok-1",
      "tok-1",
      "tok-1",
    ]);
  });

  it("merges partial updates and deletes keys set to null", () => {
    const { shadows } = service();
    shadows.update("gw-1", "firewall", { state: { desired: { a: 1, b: { c: 2, d: 3 }, e: [1, 2] } } });

    shadows.update("gw-1", "firewall", { state: { desired: { a: null, b: { c: null, x: 9 }, e: [3] } } });

    expect(accepted(shadows.get("gw-1", "firewall")).state.desired).toEqual({ b: { d: 3, x: 9 }, e: [3] });
  });

  it("removes a whole section when it is set to null", () => {
    const { shadows } = service();
    shadows.update("gw-1", "firewall", { state: { desired: { a: 1 }, reported: { a: 2 } } });

    shadows.update("gw-1", "firewall", { state: { desired: null } });

    const doc = accepted(shadows.get("gw-1", "firewall"));
    expect(doc.state).toEqual({ reported: { a: 2 } });
    expect(doc.metadata.desired).toBeUndefined();
  });

  it("keeps a metadata timestamp per leaf, refreshed only for the leaves an update touches", () => {
    const { shadows, advance } = service();
    shadows.update("gw-1", "firewall", { state: { desired: { a: 1, b: { c: 2 }, list: ["x", "y"] } } });
    advance(10);

    shadows.update("gw-1", "firewall", { state: { desired: { b: { c: 3 } } } });

    const meta = accepted(shadows.get("gw-1", "firewall")).metadata.desired;
    const t0 = T0 / 1000;
    expect(meta).toEqual({
      a: { timestamp: t0 },
      b: { c: { timestamp: t0 + 10 } },
      list: [{ timestamp: t0 }, { timestamp: t0 }],
    });
  });
});

describe("ShadowService: delta", () => {
  it("publishes accepted, documents and delta when desired differs from reported", () => {
    const { shadows, topics, published } = service();
    shadows.update("gw-1", "firewall", { state: { reported: { config_version: 1, status: "applied" } } });
    published.length = 0;

    shadows.update("gw-1", "firewall", { state: { desired: { config_version: 2, rules: [{ id: 1 }] } } });

    expect(topics()).toEqual(["update/accepted", "update/documents", "update/delta"]);
    const delta = published[2]?.payload;
    expect(delta).toMatchObject({ version: 2, state: { config_version: 2, rules: [{ id: 1 }] } });
    expect(delta).toHaveProperty("metadata.config_version.timestamp");
  });

  it("does not publish a delta when desired and reported agree", () => {
    const { shadows, topics, published } = service();
    shadows.update("gw-1", "firewall", { state: { reported: { config_version: 3 } } });
    published.length = 0;

    shadows.update("gw-1", "firewall", { state: { desired: { config_version: 3 } } });

    expect(topics()).toEqual(["update/accepted", "update/documents"]);
  });

  it("computes the delta of nested objects key by key and of arrays as whole values", () => {
    const { shadows } = service();
    shadows.update("gw-1", "firewall", {
      state: {
        desired: { limits: { rps: 20, burst: 40 }, ports: [22, 80] },
        reported: { limits: { rps: 20, burst: 10 }, ports: [22] },
      },
    });

    const doc = accepted(shadows.get("gw-1", "firewall"));

    expect(doc.state.delta).toEqual({ limits: { burst: 40 }, ports: [22, 80] });
  });

  it("reports previous and current documents on update/documents", () => {
    const { shadows, published } = service();
    shadows.update("gw-1", "firewall", { state: { desired: { a: 1 } } });
    published.length = 0;

    shadows.update("gw-1", "firewall", { state: { reported: { a: 1 } } });

    const documents = published.find((p) => p.topic.endsWith("/update/documents"))?.payload;
    expect(documents).toMatchObject({
      previous: { state: { desired: { a: 1 } }, version: 1 },
      current: { state: { desired: { a: 1 }, reported: { a: 1 } }, version: 2 },
    });
  });
});

describe("ShadowService: rejections", () => {
  it("rejects an update whose version does not match with 409 Version conflict", () => {
    const { shadows, published } = service();
    shadows.update("gw-1", "firewall", { state: { desired: { a: 1 } } });
    published.length = 0;

    const error = rejected(
      shadows.update("gw-1", "firewall", { state: { desired: { a: 2 } }, version: 5, clientToken: "c" }),
    );

    expect(error).toMatchObject({ code: 409, message: "Version conflict", clientToken: "c" });
    expect(published).toEqual([]);
    expect(accepted(shadows.get("gw-1", "firewall")).state.desired).toEqual({ a: 1 });
  });

  it("accepts an update whose version matches the current one", () => {
    const { shadows } = service();
    shadows.update("gw-1", "firewall", { state: { desired: { a: 1 } } });

    const doc = accepted(shadows.update("gw-1", "firewall", { state: { desired: { a: 2 } }, version: 1 }));

    expect(doc.version).toBe(2);
  });

  it("rejects a state document over 8 KB with 413 Payload too large", () => {
    const { shadows } = service();
    const big = { state: { desired: { blob: "x".repeat(8200) } } };

    const error = rejected(shadows.update("gw-1", "firewall", big));

    expect(error).toMatchObject({ code: 413, message: "Payload too large" });
    expect(shadows.get("gw-1", "firewall").kind).toBe("rejected");
  });

  it("counts the state without whitespace: 8192 bytes pass, 8193 do not", () => {
    const { shadows } = service();
    const overhead = JSON.stringify({ desired: { s: "" } }).length;

    const fits = shadows.update(
      "gw-1",
      "firewall",
      `{ "state" : { "desired" : { "s" : "${"x".repeat(8192 - overhead)}" } } }`,
    );
    const tooBig = shadows.update("gw-1", "other", { state: { desired: { s: "x".repeat(8193 - overhead) } } });

    expect(fits.kind).toBe("accepted");
    expect(rejected(tooBig).code).toBe(413);
  });

  it("rejects an update that would grow the stored state past 8 KB", () => {
    const { shadows } = service();
    shadows.update("gw-1", "firewall", { state: { desired: { a: "x".repeat(5000) } } });

    const error = rejected(shadows.update("gw-1", "firewall", { state: { reported: { b: "y".repeat(5000) } } }));

    expect(error.code).toBe(413);
  });

  it.each([
    ["malformed JSON", "{ not json", "Invalid JSON"],
    ["a missing state", { clientToken: "x" }, "Missing required node: state"],
    ["a state that is not an object", { state: 5 }, "State node must be an object"],
    ["a desired that is not an object", { state: { desired: [1] } }, "Desired node must be an object"],
  ])("rejects %s with 400", (_name, body, message) => {
    const { shadows } = service();

    const error = rejected(shadows.update("gw-1", "firewall", body));

    expect(error).toMatchObject({ code: 400, message });
  });

  it("rejects a get of a shadow that does not exist with 404 naming the shadow", () => {
    const { shadows } = service();

    const error = rejected(shadows.get("gw-1", "firewall", JSON.stringify({ clientToken: "g1" })));

    expect(error).toMatchObject({ code: 404, message: "No shadow exists with name: 'firewall'", clientToken: "g1" });
  });
});

describe("ShadowService: delete and list", () => {
  it("deletes a shadow and continues its version when it is created again", () => {
    const { shadows, topics, published } = service();
    shadows.update("gw-1", "firewall", { state: { desired: { a: 1 } } });
    shadows.update("gw-1", "firewall", { state: { desired: { a: 2 } } });
    published.length = 0;

    const deleted = accepted(shadows.delete("gw-1", "firewall"));
    const recreated = accepted(shadows.update("gw-1", "firewall", { state: { desired: { a: 3 } } }));

    expect(deleted.version).toBe(2);
    expect(topics()[0]).toBe("delete/accepted");
    expect(rejected(shadows.delete("gw-1", "nothing")).code).toBe(404);
    expect(recreated.version).toBe(3);
  });

  it("lists a thing's named shadows only", () => {
    const { shadows } = service();
    shadows.update("gw-1", "ssh", { state: { desired: {} } });
    shadows.update("gw-1", "firewall", { state: { desired: {} } });
    shadows.update("gw-1", "", { state: { desired: {} } });
    shadows.update("gw-2", "access", { state: { desired: {} } });

    expect(shadows.listNamedShadows("gw-1")).toEqual(["firewall", "ssh"]);
  });
});
