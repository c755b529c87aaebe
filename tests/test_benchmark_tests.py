"""The exact p-values, q-values and interval quantiles of the marts against independent
implementations (tests/exact_tests.py, pure Python): first the warehouse's SQL functions on
fixed rows (the hand-worked rows of the dbt unit tests among them), then every tested row of
a published mart_benchmarks. Agreement is required to 1e-9 (relative)."""

from __future__ import annotations

import math
from fractions import Fraction

import duckdb
import exact_tests as exact
import pytest

from cx_pipeline.warehouse import sql_functions

CLOSE = {"rel": 1e-9, "abs": 1e-15}


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    sql_functions.register(connection)
    yield connection
    connection.close()


def _one(con, sql: str, *params):
    return con.execute(f"SELECT {sql}", list(params)).fetchone()[0]


def test_independent_t_matches_its_closed_forms():
    # df = 1 is Cauchy, df = 2 has p = 1 - |t| / sqrt(2 + t^2): the reference itself is right.
    for t in (0.3, 1.0, 1.789, 4.0, 40.0):
        assert exact.t_two_sided_p(t, 1) == pytest.approx(1 - 2 / math.pi * math.atan(t), **CLOSE)
        assert exact.t_two_sided_p(t, 2) == pytest.approx(1 - t / math.sqrt(2 + t * t), **CLOSE)
    assert exact.t_quantile(0.975, 1) == pytest.approx(math.tan(math.pi * 0.475), **CLOSE)


@pytest.mark.parametrize("df", [1, 2, 2.5, 3, 3.7, 5, 10, 29.3, 99, 198, 5000])
@pytest.mark.parametrize("t", [0.0, 0.5, 1.414213562373096, 1.7888543819998317, 2.5, 6.0, -3.0])
def test_t_p_values(con, t, df):
    assert _one(con, "cx_t_two_sided_p(?, ?)", t, df) == pytest.approx(
        exact.t_two_sided_p(t, df), **CLOSE
    )


@pytest.mark.parametrize("df", [1, 2, 3, 3.5, 10, 29, 199])
def test_t_quantiles_of_the_mean_intervals(con, df):
    assert _one(con, "cx_t_quantile(0.975, ?)", df) == pytest.approx(
        exact.t_quantile(0.975, df), **CLOSE
    )


@pytest.mark.parametrize("z", [0.0, 1.0, 1.96, -2.82842712474619, 3.086066999241839, 6.0])
def test_normal_p_values(con, z):
    assert _one(con, "cx_z_two_sided_p(?)", z) == pytest.approx(
        exact.normal_two_sided_p(z), **CLOSE
    )


@pytest.mark.parametrize(
    "k, n, p0", [(1, 40, 0.075), (40, 40, 1.0), (0, 30, 0.1), (3, 50, 0.02), (12, 35, 0.9)]
)
def test_exact_binomial(con, k, n, p0):
    assert _one(con, "cx_binomial_two_sided_p(?, ?, ?)", k, n, p0) == pytest.approx(
        exact.binomial_two_sided_p(k, n, Fraction(p0)), **CLOSE
    )


@pytest.mark.parametrize(
    "k1, n1, k2, n2", [(1, 40, 6, 40), (0, 30, 4, 31), (2, 439, 1, 517), (30, 30, 28, 31)]
)
def test_fisher_exact(con, k1, n1, k2, n2):
    assert _one(con, "cx_fisher_two_sided_p(?, ?, ?, ?)", k1, n1, k2, n2) == pytest.approx(
        exact.fisher_two_sided_p(k1, n1, k2, n2), **CLOSE
    )


def test_undefined_arguments_give_null(con):
    assert _one(con, "cx_t_two_sided_p(2.0, 0)") is None
    assert _one(con, "cx_t_quantile(0.975, NULL)") is None
    assert _one(con, "cx_binomial_two_sided_p(5, 0, 0.5)") is None


def test_published_benchmarks_recomputed(loaded_demo):
    """Every tested row's p from its statistic, degrees of freedom or counts; q by
    Benjamini-Hochberg within (grain, period_start, comparison); significance on q."""
    published = duckdb.connect(str(loaded_demo / "published" / "cx.duckdb"), read_only=True)
    try:
        rows = published.execute(
            "SELECT grain, period_start, comparison, test, statistic, degrees_of_freedom, "
            "own_value, own_n, benchmark_value, benchmark_n, p_value, q_value, is_significant, "
            "no_test_reason, low_sample FROM marts.mart_benchmarks"
        ).fetchall()
    finally:
        published.close()
    families: dict[tuple, list] = {}
    tests = set()
    for (grain, start, comparison, test, stat, df, own, own_n, bench, bench_n, p, q, sig,
         reason, low_sample) in rows:  # fmt: skip
        assert (reason is None) == (test is not None) == (p is not None)
        assert not (low_sample and reason is None)
        if test is None:
            assert q is None and sig is None
            continue
        tests.add(test)
        if test in ("welch_t", "one_sample_t"):
            expected = exact.t_two_sided_p(stat, df)
        elif test == "fisher_exact":
            expected = exact.fisher_two_sided_p(
                round(own * own_n), own_n, round(bench * bench_n), bench_n
            )
        elif test == "one_sample_binomial_exact":
            expected = exact.binomial_two_sided_p(round(own * own_n), own_n, Fraction(bench))
        else:
            expected = exact.normal_two_sided_p(stat)
        assert p == pytest.approx(expected, **CLOSE), (grain, start, comparison, test)
        families.setdefault((grain, start, comparison), []).append((p, q, sig))
    assert {"welch_t", "one_sample_t", "two_proportion_z", "poisson_rate_z"} <= tests
    for family in families.values():
        expected_q = exact.benjamini_hochberg([p for p, _, _ in family])
        for (_, q, sig), want in zip(family, expected_q, strict=True):
            assert q == pytest.approx(want, **CLOSE)
            assert sig == (q < 0.05)
