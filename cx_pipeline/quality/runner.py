"""Run an expectation suite against rows in DuckDB, where the rows are.

- Row-level expectations (not null, between, in set, regex, column pairs...) are one SQL
  scan of the selection for the whole suite (rowwise_sql.py), which gives the counts,
  verdicts and examples GX's pandas engine gives (tests/test_rowwise_sql.py compares the
  two on edge cases, the malformed-input corpus and defective exports). The few without an
  exact SQL translation, and all of them with `CX_EXPECTATIONS_ENGINE=gx-pandas`, run in
  GX's pandas engine on batches of at most `CX_GX_BATCH_ROWS` rows (rowwise.py): exact
  too, because each row passes or fails on its own.
- Expectations that need all rows at once (uniqueness, row counts against history,
  freshness, extremes, reconciliation via unexpected_rows_expectation) and schema checks
  are one aggregate query each (database.py). DuckDB spills to disk rather than run out of
  memory, so memory stays bounded whatever the partition's size.

Why not GX's own SQL datasource on DuckDB? Tried with GX 1.24 and duckdb-engine 0.17
(`context.data_sources.add_sql(connection_string="duckdb:///...")`): every metric fails
with "list index out of range". GX's SqlAlchemyExecutionEngine opens a connection per
query and fetches the rows after closing it; with duckdb-engine a cursor is the DuckDB
connection itself, and closing (SQLAlchemy ends its implicit transaction) discards the
pending result, so GX reads zero rows (reproduced with plain SQLAlchemy, with any pool).
It works only after patching a private GX constant (`_PERSISTED_CONNECTION_DIALECTS`),
and even then GX has no DuckDB dialect for regex expectations, which fail. A private patch
to a library that changes often is not something to gate production loads on.

GX's pandas engine, measured on 2 shared cores (GX 1.24, DuckDB 2.0, pandas 3.1): one
partition of 1,000,000 synthetic survey responses against raw_survey_responses (63
row-level expectations) took 14-17 s, peak RSS ~930 MiB at 200,000-row batches (50k: 33 s
/ 560 MiB; 500k: 19 s / 1.5 GiB). Both engines on a year at scale 10: benchmarks/
RESULTS.md, "Expectations in DuckDB".
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from cx_pipeline.quality import database as in_database
from cx_pipeline.quality import rowwise, rowwise_sql
from cx_pipeline.quality.checked_suites import checked_suite
from cx_pipeline.quality.database import Context, Selection
from cx_pipeline.quality.results import ExpectationOutcome, SuiteResult
from cx_pipeline.quality.suites import DATABASE_TYPES, columns_of, describe, severity
from cx_pipeline.settings import current


@contextlib.contextmanager
def _connection(database: Path | str | duckdb.DuckDBPyConnection) -> Iterator:
    if isinstance(database, duckdb.DuckDBPyConnection):
        yield database  # the caller's: its temp tables and registered frames are visible
        return
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.ConnectionException:
        # Already open in this process with write access (e.g. by the loader): DuckDB
        # refuses a second configuration, so share the existing one.
        con = duckdb.connect(str(database))
    try:
        yield con
    finally:
        con.close()


def validate_table(
    database: Path | str | duckdb.DuckDBPyConnection,
    table: str,
    suite_name: str,
    where: str | None = None,
    params: Sequence | Mapping | None = None,
    *,
    suite_params: Mapping[str, Any] | None = None,
    pre_load: bool = False,
    batch_rows: int | None = None,
    engine: str | None = None,
) -> SuiteResult:
    """Validate the rows of `table` (a table or view, e.g. `raw.survey_responses`) that
    `where` selects against the suite `expectations/<suite_name>.json`.

    - `database`: a DuckDB file (opened read-only) or an open connection (used as is).
    - `where`: SQL condition on the table's columns; `params` bind its placeholders (a
      sequence for `?`, a mapping for `$name`). For raw tables select whole partitions,
      e.g. `where="_partition_date BETWEEN ? AND ?", params=[start, end]`.
    - `suite_params`: values for `$PARAMETER` bounds, overriding those computed from
      history; `partition_date` (a date or a list) names the partition days to check
      row counts and freshness for, also when they delivered no rows.
    - `pre_load`: a file checked before loading; expectations with `meta.after_load` are
      skipped (listed in `SuiteResult.skipped`).
    - `batch_rows`: largest pandas batch handed to GX (default `CX_GX_BATCH_ROWS` or 200k).
    - `engine`: where row-level expectations run, `duckdb` or `gx-pandas` (default
      `CX_EXPECTATIONS_ENGINE`).
    """
    suite = checked_suite(suite_name)
    meta = suite.meta or {}
    with _connection(database) as con:
        selection = Selection(con, table, where, params)
        columns = selection.columns()
        rows = selection.execute("SELECT count(*) FROM __batch").fetchone()[0]
        ctx = Context(
            selection,
            columns,
            rows,
            dict(suite_params or {}),
            key=meta.get("key"),
            partition_column=meta.get("partition_column"),
        )
        outcomes: dict[int, ExpectationOutcome] = {}
        skipped: list[str] = []
        row_level: list[int] = []
        for i, exp in enumerate(suite.expectations):
            if pre_load and (exp.meta or {}).get("after_load"):
                skipped.append(describe(exp))
            elif exp.expectation_type in DATABASE_TYPES:
                outcome = in_database.evaluate(ctx, exp)
                if outcome is None:
                    skipped.append(describe(exp))
                else:
                    outcomes[i] = outcome
            elif missing := [c for c in columns_of(exp) if c not in columns]:
                outcomes[i] = _missing_columns(exp, table, missing)
            else:
                row_level.append(i)
        in_sql: list[tuple[int, rowwise_sql.Conditions]] = []
        in_gx: list[int] = []
        in_duckdb = (engine or current().expectations_engine) == "duckdb"
        for i in row_level:
            conditions = (
                rowwise_sql.sql_conditions(ctx, suite.expectations[i]) if in_duckdb else None
            )
            if conditions is None:
                in_gx.append(i)
            else:
                in_sql.append((i, conditions))
        counted = rowwise_sql.evaluate(
            ctx, [suite.expectations[i] for i, _ in in_sql], [c for _, c in in_sql]
        )
        for position, (i, _) in enumerate(in_sql):
            outcomes[i] = counted[position]
        # Streamed last: no other query may run on the connection while a result is open.
        merged = rowwise.evaluate(
            ctx, [suite.expectations[i] for i in in_gx], suite_name, batch_rows
        )
        for position, i in enumerate(in_gx):
            outcomes[i] = merged[position]
    ordered = [outcomes[i] for i in sorted(outcomes)]
    return SuiteResult(
        suite=suite_name,
        success=not any(o.blocking for o in ordered),
        outcomes=ordered,
        rows_validated=rows,
        skipped=skipped,
    )


def validate_dataframe(
    frame,
    suite_name: str,
    *,
    suite_params: Mapping[str, Any] | None = None,
    pre_load: bool = True,
    batch_rows: int | None = None,
    engine: str | None = None,
) -> SuiteResult:
    """Validate a pandas DataFrame of canonical records (typed as the loader types them),
    e.g. one export mapped by its profile before loading (`cx-pipeline validate FILE`).
    Pass `suite_params={"partition_date": day}` to check freshness against a day."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("validated_frame", frame)
        return validate_table(
            con,
            "validated_frame",
            suite_name,
            suite_params=suite_params,
            pre_load=pre_load,
            batch_rows=batch_rows,
            engine=engine,
        )
    finally:
        con.close()


def _missing_columns(exp, table: str, missing: list[str]) -> ExpectationOutcome:
    cols = columns_of(exp)
    return ExpectationOutcome(
        expectation=describe(exp),
        column=cols[0] if cols else None,
        passed=False,
        severity=severity(exp),
        observed_value={"error": f"column(s) not in {table}: {missing}"},
    )
