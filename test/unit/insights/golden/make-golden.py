"""Reference fixtures for Warden's isolation forest, produced by scikit-learn itself.

Run with Debian's interpreter (the python3 first on PATH cannot see Debian's packages):

    /usr/bin/python3 test/unit/insights/golden/make-golden.py

then let the repository's formatter lay the files out (the lint step checks JSON too):

    npx biome format --write test/unit/insights/golden

It rewrites the JSON files next to it. Everything is seeded, so a rerun with the same
scikit-learn/numpy gives the same bytes; the versions used are written into each file.

What the TypeScript tests compare against:
  - per dataset: the rows, the `is_anomaly` labels, sklearn's `score_samples`, `offset_`,
    `predict` for the stated contamination, and sklearn's ROC AUC of its scores;
  - sklearn's scores from a 1,000-tree forest, where the randomness of the trees has mostly
    averaged out, so a reimplementation can be held to the same scores, not only the same ranks;
  - how far sklearn's own 100-tree forests with other random_states stray from the reference
    (Spearman, predict agreement): the noise floor any reimplementation sits on;
  - reference.json: `_average_path_length` c(n), `numpy.percentile` (the rule sklearn uses for
    `offset_`), scipy's Spearman correlation and sklearn's ROC AUC on fixed vectors (to check
    the test helpers), and two degenerate fits (one row; identical rows).
"""

import json
import sys
from pathlib import Path

import numpy as np
import scipy
import sklearn
from scipy.stats import spearmanr
from sklearn.ensemble import IsolationForest
from sklearn.ensemble._iforest import _average_path_length
from sklearn.metrics import roc_auc_score

OUT = Path(__file__).resolve().parent
RANDOM_STATE = 42
N_ESTIMATORS = 100
MANY_TREES = 1000
NOISE_RANDOM_STATES = list(range(10))
VERSIONS = {
    "python": sys.version.split()[0],
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
}


def gateway_metrics(rng):
    """One gateway population: cpu %, memory %, open connections, failed logins per interval."""
    n = 380
    cpu = np.clip(rng.normal(35, 8, n), 1, 100)
    memory = np.clip(40 + 0.4 * cpu + rng.normal(0, 5, n), 1, 100)
    connections = np.clip(rng.normal(120, 20, n), 0, None)
    failed = rng.poisson(0.5, n).astype(float)
    normal = np.column_stack([cpu, memory, connections, failed])

    # Injected incidents, five of each kind, each touching one or two metrics.
    k = 5
    cpu_spike = np.column_stack(
        [rng.uniform(88, 100, k), rng.normal(58, 4, k), rng.normal(120, 20, k), rng.poisson(0.5, k)]
    )
    memory_leak = np.column_stack(
        [rng.normal(35, 8, k), rng.uniform(92, 100, k), rng.normal(120, 20, k), rng.poisson(0.5, k)]
    )
    connection_flood = np.column_stack(
        [rng.normal(60, 5, k), rng.normal(65, 4, k), rng.uniform(400, 900, k), rng.poisson(0.5, k)]
    )
    brute_force = np.column_stack(
        [rng.normal(35, 8, k), rng.normal(54, 5, k), rng.normal(140, 20, k), rng.integers(20, 60, k)]
    )
    anomalies = np.vstack([cpu_spike, memory_leak, connection_flood, brute_force])
    return (
        ["cpu_percent", "memory_percent", "network_connections", "failed_logins"],
        normal,
        anomalies,
    )


def multi_cluster(rng):
    """Three kinds of gateway (idle, busy, batch jobs) of different sizes and spreads."""
    idle = np.column_stack([rng.normal(8, 2, 200), rng.normal(30, 3, 200), rng.normal(20, 5, 200)])
    busy = np.column_stack([rng.normal(55, 6, 120), rng.normal(70, 5, 120), rng.normal(300, 40, 120)])
    batch = np.column_stack([rng.normal(90, 2, 60), rng.normal(45, 3, 60), rng.normal(60, 10, 60)])
    normal = np.vstack([idle, busy, batch])
    # Between the clusters and far outside them.
    anomalies = np.column_stack(
        [rng.uniform(20, 95, 20), rng.uniform(10, 100, 20), rng.uniform(100, 700, 20)]
    )
    return ["cpu_percent", "memory_percent", "network_connections"], normal, anomalies


def two_metrics(rng):
    """cpu % and memory %, correlated, with a few gateways off the trend (fit with 'auto')."""
    n = 285
    cpu = np.clip(rng.normal(40, 12, n), 1, 100)
    memory = np.clip(20 + 0.8 * cpu + rng.normal(0, 4, n), 1, 100)
    normal = np.column_stack([cpu, memory])
    anomalies = np.column_stack([rng.uniform(10, 40, 15), rng.uniform(75, 100, 15)])
    return ["cpu_percent", "memory_percent"], normal, anomalies


def build(name, maker, seed, contamination, decimals=2):
    rng = np.random.default_rng(seed)
    features, normal, anomalies = maker(rng)
    X = np.vstack([normal, anomalies]).round(decimals)
    y = np.concatenate([np.zeros(len(normal), dtype=int), np.ones(len(anomalies), dtype=int)])
    order = rng.permutation(len(X))  # anomalies spread through the file, not at its end
    X, y = X[order], y[order]

    model = IsolationForest(
        n_estimators=N_ESTIMATORS, contamination=contamination, random_state=RANDOM_STATE
    ).fit(X)
    scores = model.score_samples(X)
    labels = model.predict(X)
    # Many trees average the randomness away: what a reimplementation must match score for score.
    many = IsolationForest(
        n_estimators=MANY_TREES, contamination=contamination, random_state=RANDOM_STATE
    ).fit(X)
    # How far sklearn's own 100-tree forests stray from the reference above, seed to seed.
    noise_spearman, noise_agreement = [], []
    for state in NOISE_RANDOM_STATES:
        other = IsolationForest(
            n_estimators=N_ESTIMATORS, contamination=contamination, random_state=state
        ).fit(X)
        noise_spearman.append(float(spearmanr(scores, other.score_samples(X)).correlation))
        noise_agreement.append(float(np.mean(other.predict(X) == labels)))

    return {
        "name": name,
        "versions": VERSIONS,
        "features": features,
        "contamination": contamination,
        "rows": X.tolist(),
        "is_anomaly": y.tolist(),
        "sklearn": {
            "n_estimators": N_ESTIMATORS,
            "random_state": RANDOM_STATE,
            "max_samples_": int(model.max_samples_),
            "offset_": float(model.offset_),
            "score_samples": scores.tolist(),
            "predict": labels.tolist(),
            # The anomaly score grows as score_samples falls.
            "roc_auc": float(roc_auc_score(y, -scores)),
        },
        "sklearn_many_trees": {
            "n_estimators": MANY_TREES,
            "random_state": RANDOM_STATE,
            "score_samples": many.score_samples(X).tolist(),
        },
        "sklearn_seed_noise": {
            "n_estimators": N_ESTIMATORS,
            "random_states": NOISE_RANDOM_STATES,
            "spearman_with_reference": noise_spearman,
            "predict_agreement_with_reference": noise_agreement,
        },
    }


def reference():
    rng = np.random.default_rng(2024)
    ns = [0, 1, 2, 3, 4, 10, 256, 100000]
    values = rng.normal(0, 1, 57).round(6)
    qs = [0, 1, 5, 10, 25, 50, 90, 99, 100]
    a = rng.normal(0, 1, 40).round(6)
    b = (a + rng.normal(0, 0.7, 40)).round(6)
    b[3] = b[7]  # a tie, so the helper's average ranks are exercised
    labels = (rng.uniform(size=40) < 0.3).astype(int)
    labels[0], labels[1] = 0, 1
    scores = rng.normal(0, 1, 40).round(2)  # rounding makes ties across classes

    one_row = IsolationForest(random_state=0).fit([[3.0, 4.0]])
    same_rows = IsolationForest(random_state=0).fit([[1.0, 2.0]] * 20)
    return {
        "versions": VERSIONS,
        "average_path_length": {
            "n": ns,
            "c": _average_path_length(np.array(ns)).tolist(),
        },
        "percentile": {
            "values": values.tolist(),
            "q": qs,
            "numpy": [float(np.percentile(values, q)) for q in qs],
        },
        "spearman": {
            "a": a.tolist(),
            "b": b.tolist(),
            "scipy": float(spearmanr(a, b).correlation),
        },
        "roc_auc": {
            "labels": labels.tolist(),
            "scores": scores.tolist(),
            "sklearn": float(roc_auc_score(labels, scores)),
        },
        "one_row": {
            "rows": [[3.0, 4.0]],
            "score_samples": one_row.score_samples([[3.0, 4.0], [100.0, -5.0]]).tolist(),
            "probe": [[3.0, 4.0], [100.0, -5.0]],
        },
        "identical_rows": {
            "rows": [[1.0, 2.0]] * 20,
            "probe": [[1.0, 2.0], [50.0, 50.0]],
            "score_samples": same_rows.score_samples([[1.0, 2.0], [50.0, 50.0]]).tolist(),
        },
    }


def write(name, data):
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"{path.name}: {path.stat().st_size} bytes")


def main():
    write("gateway-metrics", build("gateway-metrics", gateway_metrics, 11, 0.05))
    write("multi-cluster", build("multi-cluster", multi_cluster, 12, 0.1))
    write("two-metrics", build("two-metrics", two_metrics, 13, "auto"))
    write("reference", reference())
    print("now: npx biome format --write test/unit/insights/golden")


if __name__ == "__main__":
    main()
