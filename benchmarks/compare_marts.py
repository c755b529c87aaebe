"""Are two published warehouses the same? For refactorings that must not change the marts.

    .venv/bin/python benchmarks/compare_marts.py BEFORE.duckdb AFTER.duckdb [--strict-audit]

Every table of schema `marts` must have the same columns, in the same order with the same
DuckDB types, and the same rows (`EXCEPT ALL` empty both ways, so duplicates count). The
`audit` tables are compared too, without the columns that name a run or a time (`run_id`,
`*_at`, and a check's `metadata`, which carries timings); they are reported only, unless
`--strict-audit`, because `audit.build_state` fingerprints the dbt project's files and
so differs whenever the project does, and `source_file` names the data directory.

DuckDB sums doubles in parallel, in whatever order its threads get the rows, so two builds
of the same data can differ in a double's last digits. A table that differs exactly is
compared again with every DOUBLE rounded to `--digits` decimals (default 9), and reported
as equal to that precision when that makes it equal. Prints one line per table; exits 1
on a difference that remains (marts; audit tables only with `--strict-audit`).
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from cx_pipeline.warehouse.sql_quote import ident as _quoted

RUN_SPECIFIC = {"run_id", "metadata"}


def _columns(con: duckdb.DuckDBPyConnection, db: str, schema: str, table: str):
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ?"
        " order by ordinal_position",
        [db, schema, table],
    ).fetchall()


def _tables(con: duckdb.DuckDBPyConnection, db: str, schema: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = ? and table_schema = ?",
        [db, schema],
    ).fetchall()
    return {r[0] for r in rows}


def _rows_only_in_one(con, relation: str, select: str) -> list[str]:
    diffs = []
    for left, right, side in (("a", "b", "before"), ("b", "a", "after")):
        (only,) = con.execute(
            f"select count(*) from (select {select} from {left}.{relation}"
            f" except all select {select} from {right}.{relation})"
        ).fetchone()
        if only:
            diffs.append(f"{only} rows only in {side}")
    return diffs


def compare_table(con, schema: str, table: str, skip_run_specific: bool, digits: int):
    """(rows before, verdict, equal)."""
    relation = f"{schema}.{_quoted(table)}"
    before, after = _columns(con, "a", schema, table), _columns(con, "b", schema, table)
    (rows,) = con.execute(f"select count(*) from a.{relation}").fetchone()
    if before != after:
        return rows, f"NO (columns differ: {sorted(set(before) ^ set(after))})", False
    kept = [
        (name, data_type)
        for name, data_type in before
        if not (skip_run_specific and (name in RUN_SPECIFIC or name.endswith("_at")))
    ]
    if not _rows_only_in_one(con, relation, ", ".join(_quoted(n) for n, _ in kept)):
        return rows, "yes", True
    rounded = ", ".join(
        f"round({_quoted(n)}, {digits})" if t in ("DOUBLE", "FLOAT") else _quoted(n)
        for n, t in kept
    )
    diffs = _rows_only_in_one(con, relation, rounded)
    if diffs:
        return rows, f"NO ({'; '.join(diffs)})", False
    return rows, f"yes to 1e-{digits} (doubles differ in their last digits)", True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--strict-audit", action="store_true")
    parser.add_argument("--digits", type=int, default=9)
    args = parser.parse_args(argv)
    con = duckdb.connect()
    con.execute("attach ? as a (read_only)", [args.before])
    con.execute("attach ? as b (read_only)", [args.after])
    failed = False
    print(f"{'table':<34} {'rows':>9}  equal")
    for schema in ("marts", "audit"):
        blocking = schema == "marts" or args.strict_audit
        names_a, names_b = _tables(con, "a", schema), _tables(con, "b", schema)
        for table in sorted(names_a | names_b):
            if table not in names_a or table not in names_b:
                side = "before" if table in names_a else "after"
                rows, verdict, equal = 0, f"NO (only in {side})", False
            else:
                rows, verdict, equal = compare_table(
                    con, schema, table, schema == "audit", args.digits
                )
            if not equal and not blocking:
                verdict += " [audit: reported only]"
            print(f"{schema + '.' + table:<34} {rows:>9}  {verdict}")
            failed = failed or (not equal and blocking)
    print(
        "DIFFERENCES FOUND" if failed else f"{'audit and ' if args.strict_audit else ''}marts equal"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
