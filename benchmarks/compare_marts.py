"""Are two published warehouses the same? For refactorings that must not change the marts.

    .venv/bin/python benchmarks/compare_marts.py BEFORE.duckdb AFTER.duckdb [--strict-audit]

Every table of schema `marts` must have the same columns, in the same order with the same
DuckDB types, and the same rows (`EXCEPT ALL` empty both ways, so duplicates count). The
`audit` tables are compared too, without the columns that name a run or a time (`run_id`,
`*_at`, and a check's `metadata`, which carries timings); they are reported only, unless
`--strict-audit`, because `audit.build_state` fingerprints the dbt project's files and
so differs whenever the project does. Prints one line per table; exits 1 on a difference
of the marts (or of the audit tables with `--strict-audit`).
"""

from __future__ import annotations

import argparse
import sys

import duckdb

RUN_SPECIFIC = {"run_id", "metadata"}


def _columns(con: duckdb.DuckDBPyConnection, db: str, schema: str, table: str):
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ?"
        " order by ordinal_position",
        [db, schema, table],
    ).fetchall()


def _tables(con: duckdb.DuckDBPyConnection, db: str, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = ? and table_schema = ? order by 1",
        [db, schema],
    ).fetchall()
    return [r[0] for r in rows]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def compare_table(con, schema: str, table: str, skip_run_specific: bool) -> tuple[int, str]:
    """(rows before, '' when equal, else what differs)."""
    before, after = _columns(con, "a", schema, table), _columns(con, "b", schema, table)
    rows = con.execute(f"select count(*) from a.{schema}.{_quoted(table)}").fetchone()[0]
    if before != after:
        return rows, f"columns differ: {sorted(set(before) ^ set(after))}"
    names = [
        n for n, _ in before if not (skip_run_specific and (n in RUN_SPECIFIC or n.endswith("_at")))
    ]
    select = ", ".join(_quoted(n) for n in names)
    diffs = []
    for left, right in (("a", "b"), ("b", "a")):
        (only,) = con.execute(
            f"select count(*) from (select {select} from {left}.{schema}.{_quoted(table)}"
            f" except all select {select} from {right}.{schema}.{_quoted(table)})"
        ).fetchone()
        if only:
            diffs.append(f"{only} rows only in {'before' if left == 'a' else 'after'}")
    return rows, "; ".join(diffs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--strict-audit", action="store_true")
    args = parser.parse_args(argv)
    con = duckdb.connect()
    con.execute(f"attach '{args.before}' as a (read_only)")
    con.execute(f"attach '{args.after}' as b (read_only)")
    failed = False
    print(f"{'table':<34} {'rows':>9}  equal")
    for schema in ("marts", "audit"):
        blocking = schema == "marts" or args.strict_audit
        names_a, names_b = set(_tables(con, "a", schema)), set(_tables(con, "b", schema))
        for table in sorted(names_a | names_b):
            if table not in names_a or table not in names_b:
                rows, why = 0, "only in " + ("before" if table in names_a else "after")
            else:
                rows, why = compare_table(con, schema, table, skip_run_specific=schema == "audit")
            verdict = "yes" if not why else f"NO ({why})"
            if why and not blocking:
                verdict += " [audit: reported only]"
            print(f"{schema + '.' + table:<34} {rows:>9}  {verdict}")
            failed = failed or (bool(why) and blocking)
    print("marts identical" if not failed else "DIFFERENCES FOUND")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
