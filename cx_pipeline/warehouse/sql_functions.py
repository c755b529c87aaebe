"""Exact distribution functions for the dbt models, as DuckDB scalar functions.

DuckDB has no Student t, binomial or hypergeometric distribution (not even a normal CDF), and
the approximations SQL allows are wrong where they matter most, at few degrees of freedom and
tiny counts (docs/methodology.md, "Benchmarks and significance"). dbt-duckdb's plugin hook
registers these scipy-backed functions on every connection dbt opens (profiles.yml,
`plugins`), so SQL models, their dbt unit tests and the macros of `macros/stats.sql` call
them like built-ins. Every function is vectorised over Arrow batches and returns NULL where
an argument is NULL or the value is undefined (df <= 0, n <= 0, p outside 0..1).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from scipy import special, stats

DOUBLE = duckdb.sqltype("DOUBLE")


def _floats(column: pa.Array) -> np.ndarray:
    return column.to_numpy(zero_copy_only=False).astype(float)


def _result(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=float)
    return pa.array(values, type=pa.float64(), mask=~np.isfinite(values))


def t_quantile(p: np.ndarray, df: np.ndarray) -> np.ndarray:
    """The p-quantile of Student's t with df (real, > 0) degrees of freedom."""
    with np.errstate(invalid="ignore"):
        ok = (df > 0) & (p > 0) & (p < 1)
        return np.where(ok, special.stdtrit(np.where(ok, df, 1.0), np.where(ok, p, 0.5)), np.nan)


def t_two_sided_p(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """P(|T| >= |t|) for Student's t with df (real, > 0) degrees of freedom."""
    with np.errstate(invalid="ignore"):
        ok = (df > 0) & np.isfinite(t)
        p = 2 * special.stdtr(np.where(ok, df, 1.0), -np.abs(np.where(ok, t, 0.0)))
        return np.where(ok, np.minimum(p, 1.0), np.nan)


def z_two_sided_p(z: np.ndarray) -> np.ndarray:
    """P(|Z| >= |z|) for a standard normal Z."""
    return np.where(np.isfinite(z), np.minimum(2 * special.ndtr(-np.abs(z)), 1.0), np.nan)


def binomial_two_sided_p(k: np.ndarray, n: np.ndarray, p0: np.ndarray) -> np.ndarray:
    """Exact binomial test of k successes in n against share p0: the probability of every
    outcome no more likely than k (scipy's binomtest, the 'minlike' two-sided p)."""
    out = np.full(len(k), np.nan)
    for i, (ki, ni, pi) in enumerate(zip(k, n, p0, strict=True)):
        if np.isfinite([ki, ni, pi]).all() and ni > 0 and 0 <= ki <= ni and 0 <= pi <= 1:
            out[i] = stats.binomtest(int(round(ki)), int(round(ni)), float(pi)).pvalue
    return out


def fisher_two_sided_p(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray):
    """Fisher's exact test of k1 of n1 against k2 of n2 (two-sided: every table with the same
    margins no more likely than the observed one)."""
    out = np.full(len(k1), np.nan)
    for i, row in enumerate(zip(k1, n1, k2, n2, strict=True)):
        if not np.isfinite(row).all():
            continue
        a, m, b, o = (int(round(x)) for x in row)
        if m > 0 and o > 0 and 0 <= a <= m and 0 <= b <= o:
            out[i] = stats.fisher_exact([[a, m - a], [b, o - b]]).pvalue
    return out


# SQL name -> (function, number of DOUBLE arguments)
FUNCTIONS = {
    "cx_t_quantile": (t_quantile, 2),
    "cx_t_two_sided_p": (t_two_sided_p, 2),
    "cx_z_two_sided_p": (z_two_sided_p, 1),
    "cx_binomial_two_sided_p": (binomial_two_sided_p, 3),
    "cx_fisher_two_sided_p": (fisher_two_sided_p, 4),
}


def _arrow(function, arity: int):
    # DuckDB checks the Python signature against the declared argument types, so the
    # wrapper names its arguments instead of taking *columns.
    def call(*columns: pa.Array) -> pa.Array:
        return _result(function(*(_floats(c) for c in columns)))

    wrappers = {
        1: lambda a: call(a),
        2: lambda a, b: call(a, b),
        3: lambda a, b, c: call(a, b, c),
        4: lambda a, b, c, d: call(a, b, c, d),
    }
    return wrappers[arity]


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Create the functions on a connection (idempotent)."""
    registered = {
        r[0]
        for r in con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_name LIKE 'cx\\_%' "
            "ESCAPE '\\'"
        ).fetchall()
    }
    for name, (function, arity) in FUNCTIONS.items():
        if name in registered:
            continue
        con.create_function(
            name,
            _arrow(function, arity),
            [DOUBLE] * arity,
            DOUBLE,
            type="arrow",
            null_handling="special",
            side_effects=False,
        )


class Plugin(BasePlugin):
    """dbt-duckdb plugin (profiles.yml): the functions on every connection of a dbt run."""

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register(conn)
