"""The published file, opened read-only, and the checks that refuse a report before any
chart is drawn: a missing or empty file, an unknown brand, a range without data."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

from cx_pipeline.report.options import ReportInputError, ReportOptions

REQUIRED_MARTS = (
    "mart_cx_kpis",
    "mart_service_gaps",
    "mart_benchmarks",
    "mart_key_drivers",
    "mart_agent_scorecard",
    "mart_customer_health",
    "mart_review_themes",
)


@contextmanager
def published(path: Path):
    """A read-only connection to the published marts: the pipeline replaces the file, never
    writes it in place, so this reads one consistent build and blocks no load."""
    if not path.is_file():
        raise ReportInputError(
            f"{path} does not exist yet: run `cx-pipeline load` (or `make demo`) first"
        )
    if path.stat().st_size == 0:
        raise ReportInputError(f"{path} is empty: it is not a published build")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReportInputError(f"{path} cannot be opened as DuckDB: {first_line}") from None
    try:
        yield con
    finally:
        con.close()


def tables(con) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()
    }


def check(con, path: Path, options: ReportOptions) -> tuple[str, list[str]]:
    """The own brand and every brand the marts know; refuses what cannot be shown."""
    missing = [m for m in REQUIRED_MARTS if m not in tables(con)]
    if missing:
        raise ReportInputError(f"{path} holds no published marts ({', '.join(missing)} missing)")
    first, last = con.execute(
        "SELECT min(period_start), max(period_start) FROM marts.mart_cx_kpis WHERE grain = ?",
        [options.grain],
    ).fetchone()
    if last is None:
        raise ReportInputError(f"{path} holds no KPI rows yet: load some days first")
    in_range = con.execute(
        "SELECT count(*) FROM marts.mart_cx_kpis WHERE grain = ? AND slice_name = 'all' "
        "AND period_start BETWEEN coalesce(?, DATE '0001-01-01') "
        "AND coalesce(?, DATE '9999-12-31')",
        [options.grain, options.start, options.end],
    ).fetchone()[0]
    if not in_range:
        raise ReportInputError(
            f"no {options.grain} starts between {options.start or first} and "
            f"{options.end or last}: the marts hold {options.grain}s from {first} to {last}"
        )
    own = con.execute("SELECT min(own_brand) FROM marts.mart_benchmarks").fetchone()[0]
    brands = sorted(
        {
            b
            for (b,) in con.execute(
                "SELECT DISTINCT slice_value FROM marts.mart_cx_kpis WHERE slice_name = 'brand' "
                "UNION SELECT DISTINCT brand FROM marts.mart_review_themes"
            ).fetchall()
            if b is not None
        }
    )
    if own is None:
        own = con.execute(
            "SELECT min(brand) FROM marts.mart_review_themes WHERE is_own_brand"
        ).fetchone()[0]
    if options.brand is not None and options.brand not in brands:
        known = ", ".join(brands) if brands else "none"
        raise ReportInputError(f"brand {options.brand!r} is not in the marts (known: {known})")
    return own or "own brand", brands
