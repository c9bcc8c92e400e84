/**
 * Anomaly-detection models end to end, against DynamoDB Local, the blob folder and the local
 * workflow runner (the synthesized `insights-training` definition run in process): a CSV upload
 * checked row by row, training on the workflow engine with accuracy measured on held-out labels
 * (null without labels), predictions, plan gating, and the errors a client relies on.
 */
import { existsSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const { createLocalRunner } = await import("#infra/local/workflows/runner-local.ts");
const { useWorkflowRunner } = await import("#shared/workflows/engine.ts");
const runner = createLocalRunner({ root: resolve(import.meta.dirname, "../../..") });
useWorkflowRunner(runner);
const { call, newTenant } = await import("#test/helpers/api.ts");
const { setTenantPlan } = await import("#shared/tenancy/tenants.ts");
const { createRandom } = await import("#shared/insights/random.ts");

const I = "/api/insights";
type Tenant = Awaited<ReturnType<typeof newTenant>>;

function multipart(filename: string, content: string | Buffer) {
  const boundary = "----wardeninsights0123456789";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    rawBody: Buffer.concat([head, Buffer.isBuffer(content) ? content : Buffer.from(content), tail]),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

/** Gateway-like rows: cpu ~ N(35, 5), memory ~ N(50, 5); every 20th row an incident (cpu 90+, memory 90+). */
function metricsCsv(n: number, labelled: boolean, seed = 3): string {
  const r = createRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const lines = [labelled ? "timestamp,cpu_usage,memory_usage,is_anomaly" : "timestamp,cpu_usage,memory_usage"];
  for (let i = 0; i < n; i++) {
    const incident = i % 20 === 19;
    const cpu = incident ? 90 + 8 * r.next() : 35 + 5 * normal();
    const mem = incident ? 90 + 8 * r.next() : 50 + 5 * normal();
    const at = new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString();
    lines.push(`${at},${cpu.toFixed(2)},${mem.toFixed(2)}${labelled ? `,${incident ? 1 : 0}` : ""}`);
  }
  return `${lines.join("\n")}\n`;
}

async function upload(t: Tenant, filename: string, content: string | Buffer) {
  return call("POST", `${I}/models/upload-training-data`, { token: t.token, ...multipart(filename, content) });
}

async function train(t: Tenant, body: Record<string, unknown>) {
  const res = await call("POST", `${I}/models/train`, { token: t.token, body });
  if (res.status === 202) await runner.settled(res.body.data.training_session_id);
  return res;
}

async function modelOf(t: Tenant, id: string) {
  const res = await call("GET", `${I}/models`, { token: t.token });
  expect(res.status).toBe(200);
  return (res.body.data.models as { id: string }[]).find((m) => m.id === id) as Record<string, any>;
}

const modelFile = (t: Tenant, id: string) =>
  join(process.env.BLOB_DIR as string, "tenants", t.tenantId, "insights", "models", `${id}.json`);
const uploadsDir = (t: Tenant) => join(process.env.BLOB_DIR as string, "tenants", t.tenantId, "insights", "uploads");

let t: Tenant;
beforeAll(async () => {
  t = await newTenant("insights");
}, 60_000);

describe("POST /api/insights/models/upload-training-data", () => {
  it("stores a CSV and answers the spec's fields from the file itself", async () => {
    // Arrange
    const csv = metricsCsv(200, true);

    // Act
    const res = await upload(t, "training_data.csv", csv);

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("success");
    expect(res.body.data).toEqual({
      file_id: expect.stringMatching(/^file_[0-9a-f]{12}$/),
      filename: "training_data.csv",
      size_bytes: Buffer.byteLength(csv),
      rows_count: 200,
      columns: ["timestamp", "cpu_usage", "memory_usage", "is_anomaly"],
      upload_timestamp: expect.any(String),
    });
  });

  it.each([
    ["a header that is not a column name", "cpu usage,memory\n1,2\n", /header column 1 'cpu usage'/],
    [
      "a non-numeric value",
      "cpu_usage,memory_usage\n1,2\n3,high\n",
      /row 3, column 'memory_usage': 'high' is not a number/,
    ],
    ["a bad label", "cpu_usage,is_anomaly\n1,0\n2,maybe\n", /row 3, column 'is_anomaly'/],
    ["a row with another column count", "cpu_usage,memory_usage\n1,2\n3\n", /not a valid CSV at line 3/],
    ["only a header", "cpu_usage,memory_usage\n", /no data rows/],
  ])("refuses %s with 400 naming where, and stores nothing", async (_what, csv, message) => {
    // Arrange
    const fresh = await newTenant("insights-bad");

    // Act
    const res = await upload(fresh, "bad.csv", csv);

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(res.body.error.message).toMatch(message);
    expect(existsSync(uploadsDir(fresh))).toBe(false);
  });

  it("refuses a 50 MB file with 400 naming the file and the 4 MiB limit, and stores nothing", async () => {
    // Arrange
    const fresh = await newTenant("insights-big");
    const big = Buffer.alloc(50 * 1024 * 1024, "1,2\n");

    // Act
    const res = await upload(fresh, "big.csv", Buffer.concat([Buffer.from("a,b\n"), big]));

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(res.body.error.message).toMatch(/^file: larger than 4194304 bytes \(4 MiB\)/);
    expect(existsSync(uploadsDir(fresh))).toBe(false);
  });
});

describe("training on the workflow engine", () => {
  it("trains on an uploaded labelled CSV, measures accuracy on held-out rows and activates the model", async () => {
    // Arrange
    const file = await upload(t, "labelled.csv", metricsCsv(400, true));

    // Act
    const res = await train(t, {
      model_name: "Custom Anomaly Detector",
      model_type: "isolation_forest",
      parameters: { contamination: 0.05, n_estimators: 100 },
      file_id: file.body.data.file_id,
    });

    // Assert
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual({
      training_session_id: expect.stringMatching(/^TRAIN-\d{8}-[0-9A-F]{8}$/),
      model_id: expect.stringMatching(/^model_[0-9a-f]{12}$/),
      status: "training_started",
    });
    const model = await modelOf(t, res.body.data.model_id);
    expect(model).toMatchObject({
      name: "Custom Anomaly Detector",
      type: "isolation_forest",
      status: "active",
      features: ["cpu_usage", "memory_usage"],
      training_rows: 320,
      error: null,
    });
    const e = model.evaluation;
    expect(e.held_out_rows).toBe(80);
    expect(e.true_positives + e.false_positives + e.false_negatives + e.true_negatives).toBe(80);
    expect(model.accuracy).toBeCloseTo((e.true_positives + e.true_negatives) / 80, 4);
    // The incidents are far from the normal cloud: a forest catches nearly all of them.
    expect(e.true_positives).toBeGreaterThanOrEqual(e.held_out_anomalies - 1);
    expect(model.accuracy).toBeGreaterThan(0.9);
  });

  it("leaves accuracy null when the data has no labels, and the newer model replaces the active one", async () => {
    // Arrange
    const before = (await call("GET", `${I}/models`, { token: t.token })).body.data.models as Record<string, any>[];
    const previouslyActive = before.find((m) => m.status === "active");
    const file = await upload(t, "unlabelled.csv", metricsCsv(150, false));

    // Act
    const res = await train(t, { model_name: "Unlabelled", file_id: file.body.data.file_id });

    // Assert
    const model = await modelOf(t, res.body.data.model_id);
    expect(model).toMatchObject({ status: "active", accuracy: null, evaluation: null, training_rows: 150 });
    expect(model.parameters).toEqual({ contamination: "auto", n_estimators: 100, max_samples: "auto", seed: 0 });
    if (previouslyActive) expect((await modelOf(t, previouslyActive.id)).status).toBe("inactive");
  });

  it("fails a training without a file when the tenant has no gateway metrics, saying why", async () => {
    // Arrange
    const fresh = await newTenant("insights-empty");

    // Act
    const res = await train(fresh, { model_name: "From metrics" });

    // Assert
    expect(res.status).toBe(202);
    const model = await modelOf(fresh, res.body.data.model_id);
    expect(model.status).toBe("failed");
    expect(model.error).toMatch(/only 0 gateway metrics samples in the last 7 days/);
  });

  it("answers 404 for a file_id the tenant never uploaded (another tenant's included)", async () => {
    // Arrange
    const other = await newTenant("insights-other");
    const theirs = await upload(other, "theirs.csv", metricsCsv(50, false));

    // Act
    const res = await call("POST", `${I}/models/train`, {
      token: t.token,
      body: { model_name: "x", file_id: theirs.body.data.file_id },
    });

    // Assert
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });
});

describe("POST /api/insights/models/{model_id}/predict", () => {
  let modelId: string;
  beforeAll(async () => {
    const file = await upload(t, "for-predict.csv", metricsCsv(400, true, 9));
    const res = await train(t, {
      model_name: "Predictor",
      parameters: { contamination: 0.05 },
      file_id: file.body.data.file_id,
    });
    modelId = res.body.data.model_id;
  }, 60_000);

  it("flags an incident row and passes a typical one, with the spec's fields", async () => {
    // Act
    const res = await call("POST", `${I}/models/${modelId}/predict`, {
      token: t.token,
      body: {
        data: [
          { cpu_usage: 97.5, memory_usage: 51, network_connections: 150 },
          { cpu_usage: 35, memory_usage: 50 },
        ],
      },
    });

    // Assert
    expect(res.status).toBe(200);
    const [incident, typical] = res.body.data.predictions;
    expect(incident.is_anomaly).toBe(true);
    expect(incident.anomaly_score).toBeGreaterThan(typical.anomaly_score);
    expect(incident.features_contributing[0]).toBe("cpu_usage");
    expect(incident.confidence).toBeGreaterThan(0);
    expect(typical.is_anomaly).toBe(false);
    const model = await modelOf(t, modelId);
    expect(res.body.data.model_info).toEqual({
      id: modelId,
      accuracy: model.accuracy,
      last_trained: model.last_trained,
    });
  });

  it("keeps a loaded model in the container: a warm predict reads no stored trees, a cold one needs them", async () => {
    // Arrange (a tenant of its own: the AI routes allow 20 requests a minute): one model has
    // answered once (loaded and cached), another never has; then both models' stored trees go.
    const c = await newTenant("insights-cache");
    const body = { data: [{ cpu_usage: 97.5, memory_usage: 51 }] };
    const trained = async (name: string) => {
      const file = await upload(c, `${name}.csv`, metricsCsv(100, false, 4));
      return (await train(c, { model_name: name, file_id: file.body.data.file_id })).body.data.model_id as string;
    };
    const loaded = await trained("loaded");
    const warm = await call("POST", `${I}/models/${loaded}/predict`, { token: c.token, body });
    const cold = await trained("never-loaded");
    await rm(modelFile(c, loaded));
    await rm(modelFile(c, cold));

    // Act
    const again = await call("POST", `${I}/models/${loaded}/predict`, { token: c.token, body });
    const coldAnswer = await call("POST", `${I}/models/${cold}/predict`, { token: c.token, body });

    // Assert
    expect(warm.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.data.predictions).toEqual(warm.body.data.predictions);
    expect(coldAnswer.status).toBe(404);
    expect(coldAnswer.body.error.message).toMatch(/has no stored trees/);
  });

  it("answers 400 naming the row and feature the model needs", async () => {
    // Act
    const res = await call("POST", `${I}/models/${modelId}/predict`, {
      token: t.token,
      body: { data: [{ cpu_usage: 1, memory_usage: 2 }, { cpu_usage: 1 }] },
    });

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/data\.1\.memory_usage: missing/);
  });

  it("refuses more than 1,000 rows in one call", async () => {
    // Act
    const res = await call("POST", `${I}/models/${modelId}/predict`, {
      token: t.token,
      body: { data: Array.from({ length: 1001 }, () => ({ cpu_usage: 1, memory_usage: 2 })) },
    });

    // Assert
    expect(res.status).toBe(400);
  });

  it("answers 404 for a model that does not exist, or is another tenant's", async () => {
    // Arrange
    const other = await newTenant("insights-404");

    // Act
    const missing = await call("POST", `${I}/models/model_000000000000/predict`, {
      token: t.token,
      body: { data: [{ cpu_usage: 1, memory_usage: 2 }] },
    });
    const foreign = await call("POST", `${I}/models/${modelId}/predict`, {
      token: other.token,
      body: { data: [{ cpu_usage: 1, memory_usage: 2 }] },
    });

    // Assert
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("RESOURCE_NOT_FOUND");
    expect(foreign.status).toBe(404);
  });
});

describe("plan gating (ml_detection)", () => {
  it("refuses every model route on a plan without ml_detection with SUBSCRIPTION_LIMIT_EXCEEDED", async () => {
    // Arrange
    const free = await newTenant("insights-free");
    await setTenantPlan(free.tenantId, "free");

    // Act
    const answers = await Promise.all([
      call("GET", `${I}/models`, { token: free.token }),
      call("POST", `${I}/models/train`, { token: free.token, body: { model_name: "x" } }),
      call("POST", `${I}/models/model_000000000000/predict`, {
        token: free.token,
        body: { data: [{ cpu_usage: 1 }] },
      }),
      upload(free, "a.csv", "cpu_usage\n1\n"),
    ]);

    // Assert
    for (const res of answers) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("SUBSCRIPTION_LIMIT_EXCEEDED");
    }
    expect(existsSync(uploadsDir(free)) ? readdirSync(uploadsDir(free)) : []).toEqual([]);
  });
});
