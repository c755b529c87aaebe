"""The key-driver weights of the dbt Python model int_driver_weights against an independent
implementation on fixed data (to 1e-9): R² and Shapley values by least squares on the raw
ratings over every ordering of the drivers, Johnson's relative weights from the singular
value decomposition of the standardized ratings (his paper's steps), VIF by regressing each
driver on the others, and the bootstrap by recomputing each resample from its drawn rows.
Method: docs/methodology.md, "Key drivers"."""

import importlib.util
import sys
from itertools import permutations
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import REALDATA, cli

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "dbt_project" / "models" / "intermediate" / "surveys" / "int_driver_weights.py"


def _load_model():
    # No __pycache__ beside the model: a file in models/ changes the dbt project's digest
    # (a rebuild) and dbt's parse state.
    writes, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec = importlib.util.spec_from_file_location("int_driver_weights", MODEL)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes
    return module


weights = _load_model()
TOLERANCE = 1e-9


def survey(n: int, seed: int, drivers: int = 5) -> np.ndarray:
    """Ratings 1-7 sharing a halo, and an outcome 1-10 driven unequally by them."""
    rng = np.random.default_rng(seed)
    halo = rng.normal(size=n)
    ratings = np.clip(np.round(4 + 1.2 * halo[:, None] + rng.normal(size=(n, drivers))), 1, 7)
    effect = np.linspace(0.5, 0.05, drivers)
    outcome = np.clip(np.round(2 + ratings @ effect + rng.normal(size=n)), 1, 10)
    return np.column_stack([ratings, outcome])


# --- the independent implementation -------------------------------------------------------


def ols_r2(x: np.ndarray, y: np.ndarray) -> float:
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    residual = y - design @ coef
    return 1 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))


def shapley_by_orderings(data: np.ndarray) -> np.ndarray:
    """Mean, over every order of adding the drivers, of the R² each adds when it enters."""
    x, y = data[:, :-1], data[:, -1]
    p = x.shape[1]
    cache: dict[frozenset, float] = {}

    def r2(members: frozenset) -> float:
        if members not in cache:
            cache[members] = ols_r2(x[:, sorted(members)], y)
        return cache[members]

    total = np.zeros(p)
    orders = list(permutations(range(p)))
    for order in orders:
        before: frozenset = frozenset()
        for j in order:
            total[j] += r2(before | {j}) - r2(before)
            before = before | {j}
    return total / len(orders)


def johnson_by_svd(data: np.ndarray) -> np.ndarray:
    """Johnson (2000): X = P D Q' (standardized); Z = P Q' is the orthonormal matrix closest
    to X; beta regresses y on Z, Lambda regresses X on Z; weight_j = sum_k Lambda_kj² beta_k²."""
    x, y = data[:, :-1], data[:, -1]
    n = len(y)
    xs = (x - x.mean(0)) / x.std(0) / np.sqrt(n)
    ys = (y - y.mean()) / y.std() / np.sqrt(n)
    p_, _, qt = np.linalg.svd(xs, full_matrices=False)
    z = p_ @ qt
    beta = np.linalg.lstsq(z, ys, rcond=None)[0]
    lam = np.linalg.lstsq(z, xs, rcond=None)[0]
    return (lam**2).T @ beta**2


def vif_by_regression(data: np.ndarray) -> np.ndarray:
    x = data[:, :-1]
    others = [np.delete(x, j, axis=1) for j in range(x.shape[1])]
    return np.array([1 / (1 - ols_r2(o, x[:, j])) for j, o in enumerate(others)])


# --- the checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("n, seed, drivers", [(60, 1, 5), (250, 2, 2), (400, 3, 6), (35, 4, 1)])
def test_weights_match_the_independent_implementation(n, seed, drivers):
    data = survey(n, seed, drivers)
    result = weights.driver_weights(data, seed=9, resamples=50)
    assert result["weights_reason"] is None
    assert result["model_r2"] == pytest.approx(ols_r2(data[:, :-1], data[:, -1]), abs=TOLERANCE)
    np.testing.assert_allclose(result["relative_weight"], johnson_by_svd(data), atol=TOLERANCE)
    np.testing.assert_allclose(result["shapley_value"], shapley_by_orderings(data), atol=TOLERANCE)
    np.testing.assert_allclose(result["vif"], vif_by_regression(data), atol=1e-8)
    condition = np.linalg.cond(np.corrcoef(data[:, :-1].T).reshape(drivers, drivers))
    assert result["condition_number"] ** 2 == pytest.approx(condition, rel=1e-9)
    assert result["relative_weight"].sum() == pytest.approx(result["model_r2"], abs=TOLERANCE)
    np.testing.assert_allclose(result["relative_weight_share"].sum(), 1.0, atol=TOLERANCE)


def test_hand_worked_orthogonal_drivers():
    """x1 = -1 -1 1 1, x2 = -1 1 -1 1 are uncorrelated; y = 0 1 2 5 (centred -2 -1 0 3):
    r1² = 6² / (4 x 14) = 9/14, r2² = 4² / (4 x 14) = 4/14, R² = 13/14, and with no shared
    variance both methods give each driver its own r². Ten copies of the rows reach n = 40
    without changing a correlation."""
    rows = np.array([[-1, -1, 0], [-1, 1, 1], [1, -1, 2], [1, 1, 5]], dtype=float)
    result = weights.driver_weights(np.tile(rows, (10, 1)), seed=1, resamples=50)
    np.testing.assert_allclose(result["relative_weight"], [9 / 14, 4 / 14], atol=1e-12)
    np.testing.assert_allclose(result["shapley_value"], [9 / 14, 4 / 14], atol=1e-12)
    assert result["model_r2"] == pytest.approx(13 / 14, abs=1e-12)
    np.testing.assert_allclose(result["vif"], [1.0, 1.0], atol=1e-12)
    assert result["condition_number"] == pytest.approx(1.0, abs=1e-12)


def test_bootstrap_recomputes_each_resample_from_its_rows():
    """Percentile interval of 200 resamples drawn as the model draws them (same seed, same
    batches), each recomputed from its own rows by the independent implementation."""
    data = survey(80, 5, 3)
    resamples = 200
    result = weights.driver_weights(data, seed=1234, resamples=resamples)
    rng = np.random.default_rng(1234)
    draws = np.concatenate(
        [
            rng.integers(0, len(data), size=(min(weights.BATCH, resamples - s), len(data)))
            for s in range(0, resamples, weights.BATCH)
        ]
    )
    r2 = np.array([ols_r2(data[d, :-1], data[d, -1]) for d in draws])
    rw = np.array([johnson_by_svd(data[d]) for d in draws])
    sv = np.array([shapley_by_orderings(data[d]) for d in draws])
    assert result["bootstrap_resamples"] == resamples
    low, high = np.quantile(r2, [0.025, 0.975])
    assert (result["model_r2_ci_low"], result["model_r2_ci_high"]) == pytest.approx(
        (low, high), abs=TOLERANCE
    )
    np.testing.assert_allclose(
        result["relative_weight_ci_low"], np.quantile(rw, 0.025, axis=0), atol=TOLERANCE
    )
    np.testing.assert_allclose(
        result["relative_weight_ci_high"], np.quantile(rw, 0.975, axis=0), atol=TOLERANCE
    )
    np.testing.assert_allclose(
        result["shapley_ci_low"], np.quantile(sv, 0.025, axis=0), atol=TOLERANCE
    )
    np.testing.assert_allclose(
        result["shapley_ci_high"], np.quantile(sv, 0.975, axis=0), atol=TOLERANCE
    )


def test_intervals_are_seeded_by_the_period_and_segment():
    data = survey(60, 6, 3)
    seed = weights.group_seed("month", "2026-09-01", "all")
    assert seed == weights.group_seed("month", "2026-09-01", "all")
    assert seed != weights.group_seed("month", "2026-09-01", "vip")
    first = weights.driver_weights(data, seed, resamples=100)
    again = weights.driver_weights(data, seed, resamples=100)
    np.testing.assert_array_equal(first["relative_weight_ci_low"], again["relative_weight_ci_low"])
    np.testing.assert_array_equal(first["shapley_ci_high"], again["shapley_ci_high"])
    assert (first["relative_weight_ci_low"] <= first["relative_weight"]).all()
    assert (first["relative_weight"] <= first["relative_weight_ci_high"]).all()


def test_minimum_n_is_max_of_30_and_10_per_driver():
    assert [weights.minimum_n(p) for p in (1, 3, 4, 5, 8)] == [30, 30, 40, 50, 80]
    data = survey(49, 7, 5)
    below = weights.driver_weights(data, seed=1, resamples=50)
    assert below["weights_reason"] == "below minimum n" and below["min_n"] == 50
    assert np.isnan(below["relative_weight"]).all() and np.isnan(below["model_r2"])
    assert np.isnan(below["shapley_value"]).all() and below["bootstrap_resamples"] is None
    # The diagnostics are still given: they describe the ratings, not a fitted model.
    assert below["condition_number"] > 1 and not np.isnan(below["vif"]).any()
    at = weights.driver_weights(survey(50, 7, 5), seed=1, resamples=50)
    assert at["weights_reason"] is None


def test_reasons_when_a_rating_does_not_vary_or_drivers_are_collinear():
    data = survey(60, 8, 3)
    flat_outcome = data.copy()
    flat_outcome[:, -1] = 7
    assert (
        weights.driver_weights(flat_outcome, 1, 50)["weights_reason"]
        == "overall satisfaction does not vary"
    )
    flat_driver = data.copy()
    flat_driver[:, 1] = 4
    assert weights.driver_weights(flat_driver, 1, 50)["weights_reason"] == "a driver does not vary"
    twin = np.column_stack([data[:, :2], data[:, 1], data[:, -1:]])
    collinear = weights.driver_weights(twin, 1, 50)
    assert collinear["weights_reason"] == "drivers collinear"
    assert np.isnan(collinear["vif"]).all() and collinear["condition_number"] >= 1e6


def test_rows_per_period_segment_and_attribute_with_listwise_deletion():
    """Month 2026-09 'all': 40 responses rate a and b, one more rates only a (left out of the
    model, counted in no complete row); 'vip' has 3 responses, below the minimum."""
    data = survey(40, 9, 2)
    rows = []
    for i, (a, b, y) in enumerate(data):
        rows += [("all", f"r{i}", "a", a, y), ("all", f"r{i}", "b", b, y)]
    rows.append(("all", "extra", "a", 5.0, 6.0))
    for i in range(3):
        rows += [("vip", f"v{i}", "a", 2.0 + i, 3.0 + i), ("vip", f"v{i}", "b", 1.0 + i, 4.0)]
    frame = pd.DataFrame(
        rows, columns=["segment", "response_id", "attribute", "rating", "overall_satisfaction"]
    )
    frame.insert(0, "grain", "month")
    frame.insert(1, "period_start", pd.Timestamp("2026-09-01").date())
    out = {(r["segment"], r["attribute"]): r for r in weights.weights_rows(frame)}
    assert set(out) == {("all", "a"), ("all", "b"), ("vip", "a"), ("vip", "b")}
    assert out["all", "a"]["model_n"] == 40 and out["all", "a"]["weights_reason"] is None
    expected = johnson_by_svd(data)
    assert out["all", "a"]["relative_weight"] == pytest.approx(expected[0], abs=TOLERANCE)
    assert out["all", "b"]["relative_weight"] == pytest.approx(expected[1], abs=TOLERANCE)
    assert out["vip", "a"]["weights_reason"] == "below minimum n"
    assert out["vip", "a"]["relative_weight"] is None and out["vip", "a"]["min_n"] == 30


def test_model_returns_the_declared_schema_also_when_empty():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE periods (grain VARCHAR, period_start DATE, segment VARCHAR, "
        "response_id VARCHAR, attribute VARCHAR, rating DOUBLE, overall_satisfaction DOUBLE)"
    )

    class FakeDbt:
        def ref(self, name):
            assert name == "int_driver_periods"
            return con.query("SELECT * FROM periods")

    empty = weights.model(FakeDbt(), con)
    assert isinstance(empty, pa.Table) and empty.schema == weights.SCHEMA
    assert empty.num_rows == 0
    data = survey(30, 10, 1)
    con.executemany(
        "INSERT INTO periods VALUES ('week', DATE '2026-09-07', 'all', ?, 'staff', ?, ?)",
        [[f"r{i}", float(a), float(y)] for i, (a, y) in enumerate(data)],
    )
    table = weights.model(FakeDbt(), con)
    assert table.schema == weights.SCHEMA and table.num_rows == 1
    row = table.to_pylist()[0]
    r = np.corrcoef(data[:, 0], data[:, 1])[0, 1]
    assert row["relative_weight"] == pytest.approx(r**2, abs=TOLERANCE)
    assert str(row["period_start"]) == "2026-09-07"


@pytest.mark.skipif(
    not REALDATA.is_dir(), reason=f"real exports not found at {REALDATA} (shared/realdata)"
)
def test_ecsi_survey_key_drivers_through_the_pipeline(tmp_path):
    """The ECSI mobile-phone survey (250 customers, one landing day) loaded through its
    profile: the published month's weights for perceived quality (attr_product, PERQ1) and
    value for money (attr_price, PERV1) on overall satisfaction (CUSA1) equal the independent
    implementation over the export itself (the profile's 1-10 to 1-7 rescaling is linear,
    which leaves correlations, and so the weights, unchanged)."""
    export = REALDATA / "surveys" / "ecsi_mobile_phone.csv"
    folder = tmp_path / "landing" / "surveys" / "2010-06-01"
    folder.mkdir(parents=True)
    (folder / export.name).write_bytes(export.read_bytes())
    cli(tmp_path, "load", "--date", "2010-06-01", env={"CX_PARTITIONS_START": "2010-06-01"})
    published = duckdb.connect(str(tmp_path / "published" / "cx.duckdb"), read_only=True)
    rows = published.execute(
        "SELECT attribute, n, model_n, model_drivers, min_n, importance, importance_ci_low, "
        "importance_ci_high, shapley_value, model_r2, correlation, vif, condition_number, "
        "bootstrap_resamples, weights_reason, quadrant, importance_method "
        "FROM marts.mart_key_drivers WHERE grain = 'month' AND segment = 'all' "
        "ORDER BY attribute"
    ).fetchall()
    columns = [d[0] for d in published.description]
    published.close()
    got = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}
    assert sorted(got) == ["price", "product"]
    raw = pd.read_csv(export)
    data = raw[["PERV1", "PERQ1", "CUSA1"]].to_numpy(dtype=float)  # price, product: by name
    rw, sv = johnson_by_svd(data), shapley_by_orderings(data)
    r2 = ols_r2(data[:, :-1], data[:, -1])
    for j, attribute in enumerate(["price", "product"]):
        row = got[attribute]
        assert (row["n"], row["model_n"], row["model_drivers"], row["min_n"]) == (250, 250, 2, 30)
        assert row["weights_reason"] is None and row["bootstrap_resamples"] == 1000
        assert row["importance_method"] == "johnson_relative_weight"
        assert row["importance"] == pytest.approx(rw[j], abs=TOLERANCE)
        assert row["shapley_value"] == pytest.approx(sv[j], abs=TOLERANCE)
        assert row["model_r2"] == pytest.approx(r2, abs=TOLERANCE)
        r = np.corrcoef(data[:, j], data[:, -1])[0, 1]
        assert row["correlation"] == pytest.approx(r, abs=TOLERANCE)
        assert row["importance_ci_low"] < row["importance"] < row["importance_ci_high"]
        assert row["vif"] == pytest.approx(vif_by_regression(data)[j], abs=1e-8)
        assert row["quadrant"] is not None
