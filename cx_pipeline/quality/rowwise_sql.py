"""Row-level expectations as SQL in DuckDB: the whole suite in one scan of the selection.

Each expectation becomes two conditions on a row, "missing" (the row is not considered,
as GX leaves out nulls) and "unexpected"; one aggregate query counts both for every
expectation at once, and a query per failing expectation fetches its first examples in
the selection's order. The counts, the verdict (`mostly` over the non-missing rows, true
when nothing is considered) and the examples are those GX's pandas engine gives for the
same rows (rowwise.py), which tests/test_rowwise_sql.py checks expectation by expectation.

Only what translates exactly is evaluated here; `sql_conditions` returns None for the
rest (a type without a translation, bounds or sets of another kind than the column's,
a regular expression DuckDB cannot read), which then runs in GX's pandas engine.

Where the two engines differ by construction:
- a float NaN is missing, as pandas sees it (DuckDB itself would compare it);
- regular expressions are RE2 (DuckDB) searches with Python's meaning of `$` (the end,
  or before a final newline); classes such as `\\d` or `\\w` are ASCII in RE2 and Unicode
  in Python, so a pattern using them runs in GX's engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from cx_pipeline.quality.database import MAX_EXAMPLES, Context
from cx_pipeline.quality.results import ExpectationOutcome
from cx_pipeline.quality.rowwise import Tally, outcome
from cx_pipeline.quality.suites import columns_of
from cx_pipeline.warehouse.sql_quote import ident, literal

_INTEGER = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT"}  # fmt: skip
_FLOAT = {"FLOAT", "DOUBLE", "REAL"}
_TEXT = {"VARCHAR"}
_TEMPORAL = {"DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIME"}
# GX ignores a pair's row when these of its values are missing (its default: both).
_PAIR_IGNORE = {
    "both_values_are_missing": " AND ",
    "either_value_is_missing": " OR ",
    "neither": None,
}
# Constructs whose meaning differs between Python's re and RE2, or that RE2 rejects.
_NOT_PORTABLE = re.compile(r"\\[dDwWsSbBAZ]|\(\?[=!<P]|\\[1-9]|\(\?[a-zA-Z]*[xuLa]")


@dataclass(frozen=True)
class Conditions:
    """SQL over one row of the selection: when it is left out, when it is unexpected, and
    the columns shown for an example."""

    missing: str
    unexpected: str
    shown: tuple[str, ...]


def _family(duckdb_type: str) -> str:
    base = duckdb_type.upper().split("(")[0].strip()
    if base in _INTEGER:
        return "integer"
    if base in _FLOAT:
        return "float"
    if base == "DECIMAL":
        return "decimal"
    if base in _TEXT:
        return "text"
    if base in _TEMPORAL:
        return base
    if base == "BOOLEAN":
        return "boolean"
    return "other"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_sql(value: Any, family: str) -> str | None:
    """A set member as a literal comparable with the column, or None if it is not one."""
    if family in ("integer", "float", "decimal") and _is_number(value):
        return repr(value) if value == value else None
    if family == "text" and isinstance(value, str):
        return literal(value)
    if family == "boolean" and isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return None


def _null(column: str, family: str) -> str:
    col = ident(column)
    return f"({col} IS NULL OR isnan({col}))" if family == "float" else f"{col} IS NULL"


def _python_end(pattern: str) -> str:
    """`$` outside a character class as Python's re reads it without MULTILINE: the end of
    the text or just before a final newline."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            # a ] right after the opening [ (or [^) is a member, not the end
            in_class = char != "]" or pattern[i - 1] == "[" or pattern[i - 2 : i] == "[^"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"(?:\n?\z)"
        out.append(char)
        i += 1
    return "".join(out)


def _regex(ctx: Context, pattern: Any) -> str | None:
    if not isinstance(pattern, str) or _NOT_PORTABLE.search(pattern):
        return None
    translated = _python_end(pattern)
    try:  # RE2 rejects what Python's re may accept: that one goes to GX
        ctx.selection.con.execute("SELECT regexp_matches('', ?)", [translated])
    except duckdb.Error:
        return None
    return literal(translated)


def sql_conditions(ctx: Context, exp) -> Conditions | None:
    """The expectation as SQL conditions, or None when it has no exact translation."""
    kw = exp.configuration.kwargs
    kind = exp.expectation_type
    cols = columns_of(exp)
    if not cols or any(c not in ctx.columns for c in cols):
        return None
    families = [_family(ctx.columns[c]) for c in cols]
    family = families[0]
    col = ident(cols[0])
    null = _null(cols[0], family)
    if kind == "expect_column_values_to_not_be_null":
        return Conditions("FALSE", null, (cols[0],))
    if kind == "expect_column_values_to_be_null":
        return Conditions("FALSE", f"NOT {null}", (cols[0],))
    if kind in ("expect_column_values_to_be_between", "expect_column_value_lengths_to_be_between"):
        low, high = ctx.resolve(kw.get("min_value")), ctx.resolve(kw.get("max_value"))
        if kind == "expect_column_value_lengths_to_be_between":
            if family != "text":
                return None
            col = f"length({col})"
        elif family not in ("integer", "float", "decimal"):
            return None
        if (low is None and high is None) or not all(
            v is None or _is_number(v) for v in (low, high)
        ):
            return None
        within = []
        if low is not None:
            within.append(f"{col} {'>' if kw.get('strict_min') else '>='} {low!r}")
        if high is not None:
            within.append(f"{col} {'<' if kw.get('strict_max') else '<='} {high!r}")
        return Conditions(null, f"NOT ({' AND '.join(within)})", (cols[0],))
    if kind == "expect_column_value_lengths_to_equal":
        value = ctx.resolve(kw.get("value"))
        if family != "text" or not _is_number(value) or not float(value).is_integer():
            return None
        return Conditions(null, f"length({col}) <> {int(value)}", (cols[0],))
    if kind in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
        values = ctx.resolve(kw.get("value_set"))
        if not isinstance(values, list | tuple | set) or not values:
            return None
        members = [_value_sql(v, family) for v in values]
        if None in members:
            return None
        test = "NOT IN" if kind == "expect_column_values_to_be_in_set" else "IN"
        return Conditions(null, f"{col} {test} ({', '.join(members)})", (cols[0],))
    if kind in (
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_match_regex_list",
        "expect_column_values_to_not_match_regex_list",
    ):
        if family != "text":
            return None
        listed = kind.endswith("_list")
        patterns = kw.get("regex_list") if listed else [kw.get("regex")]
        if not isinstance(patterns, list | tuple) or not patterns:
            return None
        regexes = [_regex(ctx, p) for p in patterns]
        if None in regexes:
            return None
        matches = [f"regexp_matches({col}, {r})" for r in regexes]
        if kind.startswith("expect_column_values_to_not_match"):
            # GX's not_match_regex_list: unexpected when any pattern matches
            return Conditions(null, f"({' OR '.join(matches)})", (cols[0],))
        joiner = " AND " if listed and kw.get("match_on", "any") == "all" else " OR "
        return Conditions(null, f"NOT ({joiner.join(matches)})", (cols[0],))
    if kind in (
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_equal",
    ):
        if len(cols) != 2 or families[0] != families[1] or family in ("other", "boolean"):
            return None
        ignore = kw.get("ignore_row_if", "both_values_are_missing")
        if ignore not in _PAIR_IGNORE:
            return None
        a, b = (ident(c) for c in cols)
        nulls = [_null(c, family) for c in cols]
        joiner = _PAIR_IGNORE[ignore]
        missing = f"({joiner.join(nulls)})" if joiner else "FALSE"
        if kind == "expect_column_pair_values_to_be_equal":
            holds = f"{a} = {b}"
        else:
            holds = f"{a} {'>=' if kw.get('or_equal') else '>'} {b}"
        # A comparison with a missing value is false in pandas: unexpected, unless ignored.
        return Conditions(missing, f"({' OR '.join(nulls)} OR NOT ({holds}))", tuple(cols))
    return None


def evaluate(
    ctx: Context, expectations: list, conditions: list[Conditions]
) -> dict[int, ExpectationOutcome]:
    """Outcomes of `expectations` (each with its `conditions`), keyed by list index."""
    if not expectations:
        return {}
    counts = _counts(ctx, conditions)
    outcomes = {}
    for i, (exp, cond) in enumerate(zip(expectations, conditions, strict=True)):
        tally = Tally(batches=1)
        if isinstance(counts[i], str):
            tally.error = counts[i]
        else:
            tally.element_count, tally.missing_count, tally.unexpected_count = counts[i]
            considered = tally.element_count - tally.missing_count
            mostly = ctx.resolve(exp.configuration.kwargs.get("mostly", 1.0))
            tally.gx_success = (
                not tally.unexpected_count
                or considered <= 0
                or (considered - tally.unexpected_count) / considered >= mostly
            )
            if not tally.gx_success:
                tally.examples = _examples(ctx, cond)
        outcomes[i] = outcome(ctx, exp, tally)
    return outcomes


def _aggregates(cond: Conditions) -> str:
    missing = f"count(*) FILTER (WHERE {cond.missing})"
    unexpected = f"count(*) FILTER (WHERE NOT ({cond.missing}) AND ({cond.unexpected}))"
    return f"{missing}, {unexpected}"


def _counts(ctx: Context, conditions: list[Conditions]) -> list[tuple[int, int, int] | str]:
    """(rows, missing, unexpected) per expectation, all in one scan; if that query fails
    (a value DuckDB cannot compare), each expectation on its own, the failing ones with
    their error."""
    select = ", ".join(_aggregates(c) for c in conditions)
    try:
        row = ctx.selection.execute(f"SELECT count(*), {select} FROM __batch").fetchone()
    except duckdb.Error:
        results: list[tuple[int, int, int] | str] = []
        for cond in conditions:
            try:
                results.append(
                    ctx.selection.execute(
                        f"SELECT count(*), {_aggregates(cond)} FROM __batch"
                    ).fetchone()
                )
            except duckdb.Error as exc:
                results.append(f"{type(exc).__name__}: {exc}")
        return results
    return [(row[0], row[1 + 2 * i], row[2 + 2 * i]) for i in range(len(conditions))]


def _examples(ctx: Context, cond: Conditions) -> list:
    """The first unexpected rows in the selection's order, shaped as GX shows them: with a
    key, {column: value, key: value}; without, the value (a pair: [a, b])."""
    key = ctx.key if ctx.key in ctx.columns else None
    shown = list(cond.shown) + ([key] if key and key not in cond.shown else [])
    cursor = ctx.selection.execute(
        f"SELECT {', '.join(ident(c) for c in shown)} FROM __batch "
        f"WHERE NOT ({cond.missing}) AND ({cond.unexpected}) LIMIT {MAX_EXAMPLES}"
    )
    rows = cursor.fetchall()
    if key:
        return [dict(zip(shown, row, strict=True)) for row in rows]
    if len(cond.shown) == 1:
        return [row[0] for row in rows]
    return [list(row) for row in rows]
