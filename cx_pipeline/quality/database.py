"""Expectations answered inside DuckDB, over the whole selection at once.

These need every selected row together (uniqueness, row counts, extremes), the table's
schema, or other tables (reconciliation), so they cannot be merged from batches; one
aggregate query each keeps memory flat whatever the size of the partition. Each keeps the
semantics of the GX expectation it stands for (inclusive bounds unless strict_min /
strict_max, `mostly` over non-null values, a None bound means unbounded).

Run-time bounds (`{"$PARAMETER": name}` in a suite) come from `suite_params` when the
caller gives them, otherwise:
- `meta.row_count_history = {"days": 7, "min_ratio": 0.2, "max_ratio": 5.0}` on a row-count
  expectation: per partition day, the bounds are the ratios times the median row count of
  the previous `days` loaded partitions of the same table; no earlier partition, no bound.
- `meta.freshness_days = N` on a column min/max expectation: per partition day, the lower
  bound is that day's midnight (UTC) minus N days.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from cx_pipeline.quality.results import ExpectationOutcome, json_safe
from cx_pipeline.quality.suites import columns_of, describe, severity
from cx_pipeline.warehouse.sql_quote import ident, relation

MAX_EXAMPLES = 5
# DuckDB type names and their aliases, so a suite may say TIMESTAMPTZ or INT.
_TYPE_ALIASES = {
    "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE",
    "INT": "INTEGER",
    "INT4": "INTEGER",
    "SIGNED": "INTEGER",
    "INT8": "BIGINT",
    "LONG": "BIGINT",
    "INT2": "SMALLINT",
    "SHORT": "SMALLINT",
    "INT1": "TINYINT",
    "FLOAT8": "DOUBLE",
    "NUMERIC": "DECIMAL",
    "FLOAT4": "FLOAT",
    "REAL": "FLOAT",
    "TEXT": "VARCHAR",
    "STRING": "VARCHAR",
    "CHAR": "VARCHAR",
    "BPCHAR": "VARCHAR",
    "BOOL": "BOOLEAN",
    "LOGICAL": "BOOLEAN",
    "DATETIME": "TIMESTAMP",
}


class EvaluationError(Exception):
    """An expectation that cannot be evaluated (missing column, missing parameter)."""


@dataclass
class Selection:
    """The rows being validated: `SELECT * FROM table WHERE where` on one connection.

    Every query embeds the selection once, as the CTE `__batch`, so the caller's
    placeholders (`?` with a sequence of values, `$name` with a mapping) bind once per query.
    """

    con: duckdb.DuckDBPyConnection
    table: str
    where: str | None = None
    params: Sequence | Mapping | None = None

    @property
    def source(self) -> str:
        return relation(self.table)

    def sql(self, body: str, ctes: str = "") -> str:
        where = f" WHERE ({self.where})" if self.where else ""
        more = f", {ctes}" if ctes else ""
        return f"WITH __batch AS (SELECT * FROM {self.source}{where}){more} {body}"

    def execute(self, body: str, ctes: str = "") -> duckdb.DuckDBPyConnection:
        if self.params:
            return self.con.execute(self.sql(body, ctes), self.params)
        return self.con.execute(self.sql(body, ctes))

    def columns(self) -> dict[str, str]:
        rows = self.con.execute(f"DESCRIBE SELECT * FROM {self.source}").fetchall()
        return {name: col_type for name, col_type, *_ in rows}


@dataclass
class Context:
    selection: Selection
    columns: dict[str, str]
    row_count: int
    suite_params: dict[str, Any]
    key: str | None = None
    partition_column: str | None = None
    _cache: dict = field(default_factory=dict)

    def outcome(
        self,
        expectation,
        passed: bool,
        observed: Any,
        unexpected: int | None = None,
        examples: Sequence = (),
    ) -> ExpectationOutcome:
        cols = columns_of(expectation)
        return ExpectationOutcome(
            expectation=describe(expectation),
            column=cols[0] if cols else None,
            passed=bool(passed),
            severity=severity(expectation),
            observed_value=json_safe(observed),
            unexpected_count=unexpected,
            examples=[] if passed else json_safe(list(examples)[:MAX_EXAMPLES]),
        )

    def require(self, *cols: str) -> None:
        missing = [c for c in cols if c not in self.columns]
        if missing:
            raise EvaluationError(f"column(s) not in {self.selection.table}: {missing}")

    def resolve(self, value: Any, computed: Mapping[str, Any] | None = None) -> Any:
        """A literal kwarg, or the run-time value of a `{"$PARAMETER": name}`."""
        if not (isinstance(value, dict) and "$PARAMETER" in value):
            return value
        name = value["$PARAMETER"]
        if name in self.suite_params:
            return self.suite_params[name]
        if computed is not None and name in computed:
            return computed[name]
        raise EvaluationError(f"no value for $PARAMETER {name!r}: pass it in suite_params")

    def partition_days(self) -> list[dt.date]:
        """The partition days being validated: `suite_params["partition_date"]` (a date or
        a list of dates) when given, else the distinct days in the selection."""
        if "days" in self._cache:
            return self._cache["days"]
        given = self.suite_params.get("partition_date")
        if given is not None:
            items = given if isinstance(given, list | tuple | set) else [given]
            days = sorted({_as_date(d) for d in items})
        elif self.partition_column in self.columns:
            col = ident(self.partition_column)
            rows = self.selection.execute(
                f"SELECT DISTINCT {col} FROM __batch WHERE {col} IS NOT NULL ORDER BY 1"
            ).fetchall()
            days = [_as_date(r[0]) for r in rows]
        else:
            days = []
        self._cache["days"] = days
        return days

    def per_day(self, expr: str, whole_table: bool = False) -> dict[dt.date, Any]:
        """`expr` aggregated per partition day over the selection, or over the whole table
        (for history); days without rows are absent."""
        cache_key = ("per_day", expr, whole_table)
        if cache_key not in self._cache:
            col = ident(self.partition_column)
            body = f"SELECT {col}, {expr} FROM {{rel}} WHERE {col} IS NOT NULL GROUP BY 1"
            if whole_table:
                rows = self.selection.con.execute(body.format(rel=self.selection.source)).fetchall()
            else:
                rows = self.selection.execute(body.format(rel="__batch")).fetchall()
            self._cache[cache_key] = {_as_date(d): v for d, v in rows}
        return self._cache[cache_key]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _coerce(bound: Any, observed: Any) -> Any:
    """A bound comparable with the observed value: ISO strings become dates or timestamps,
    a date bound of a timestamp becomes its midnight, naive timestamps are read as UTC."""
    if bound is None or observed is None:
        return bound
    if isinstance(observed, dt.datetime):
        if isinstance(bound, str):
            bound = dt.datetime.fromisoformat(bound)
        elif isinstance(bound, dt.date) and not isinstance(bound, dt.datetime):
            bound = dt.datetime.combine(bound, dt.time())
        return _aware(bound)
    if isinstance(observed, dt.date) and isinstance(bound, str):
        return dt.date.fromisoformat(bound)
    return bound


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def within(value: Any, low: Any, high: Any, strict_min: bool = False, strict_max: bool = False):
    """GX's between: None bounds are open; a missing observed value fails."""
    if value is None:
        return False
    low, high, value = _coerce(low, value), _coerce(high, value), _aware(value)
    if low is not None and (value <= low if strict_min else value < low):
        return False
    if high is not None and (value >= high if strict_max else value > high):
        return False
    return True


# --- evaluators: (context, expectation) -> ExpectationOutcome, or None when not applicable


def unique(ctx: Context, exp) -> ExpectationOutcome:
    """expect_column_values_to_be_unique / expect_compound_columns_to_be_unique: every row
    of a duplicated key is unexpected (as in GX); examples are the most repeated keys."""
    kw = exp.configuration.kwargs
    if exp.expectation_type == "expect_column_values_to_be_unique":
        cols = [kw["column"]]
        considered = f"{ident(cols[0])} IS NOT NULL"
    else:
        cols = list(kw["column_list"])
        nulls = [f"{ident(c)} IS NULL" for c in cols]
        considered = {
            "all_values_are_missing": f"NOT ({' AND '.join(nulls)})",
            "any_value_is_missing": f"NOT ({' OR '.join(nulls)})",
            "never": "TRUE",
        }[kw.get("ignore_row_if", "all_values_are_missing")]
    ctx.require(*cols)
    # meta.per_partition: a key may recur in later partitions (a newer version of the
    # record), so it is unique per partition day when several days are validated at once.
    if (exp.meta or {}).get("per_partition") and ctx.partition_column in ctx.columns:
        cols = [ctx.partition_column, *cols]
    keys = ", ".join(ident(c) for c in cols)
    dups = (
        f"__dups AS (SELECT {keys}, count(*) AS __rows FROM __batch WHERE {considered} "
        "GROUP BY ALL HAVING count(*) > 1)"
    )
    unexpected, groups, considered_rows = ctx.selection.execute(
        "SELECT (SELECT coalesce(sum(__rows), 0) FROM __dups)::BIGINT, "
        f"(SELECT count(*) FROM __dups), (SELECT count(*) FROM __batch WHERE {considered})",
        dups,
    ).fetchone()
    examples = []
    if unexpected:
        rows = ctx.selection.execute(
            f"SELECT {keys}, __rows FROM __dups ORDER BY __rows DESC, {keys} LIMIT {MAX_EXAMPLES}",
            dups,
        ).fetchall()
        examples = [{**dict(zip(cols, r[:-1], strict=True)), "rows": r[-1]} for r in rows]
    mostly = ctx.resolve(kw.get("mostly", 1.0))
    passed = considered_rows == 0 or (considered_rows - unexpected) / considered_rows >= mostly
    observed = {
        "element_count": ctx.row_count,
        "unexpected_count": unexpected,
        "unexpected_percent": percent(unexpected, considered_rows),
        "duplicated_keys": groups,
    }
    return ctx.outcome(exp, passed, observed, unexpected, examples)


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 4) if whole else 0.0


def _normal_type(name: str) -> str:
    name = " ".join(str(name).upper().split())
    return _TYPE_ALIASES.get(name, name)


def column_type(ctx: Context, exp) -> ExpectationOutcome:
    """expect_column_values_to_be_of_type / _in_type_list against DuckDB's column type
    (pandas dtypes would depend on nulls and on the pandas version)."""
    kw = exp.configuration.kwargs
    column = kw["column"]
    ctx.require(column)
    observed = ctx.columns[column]
    if exp.expectation_type == "expect_column_values_to_be_of_type":
        wanted = [kw["type_"]]
    else:
        wanted = list(kw.get("type_list") or [])
    passed = not wanted or _normal_type(observed) in {_normal_type(t) for t in wanted}
    examples = [] if passed else [{"column": column, "type": observed, "expected": wanted}]
    return ctx.outcome(exp, passed, observed, None, examples)


def column_exists(ctx: Context, exp) -> ExpectationOutcome:
    column = exp.configuration.kwargs["column"]
    return ctx.outcome(exp, column in ctx.columns, sorted(ctx.columns))


def columns_match_set(ctx: Context, exp) -> ExpectationOutcome:
    kw = exp.configuration.kwargs
    wanted = set(kw.get("column_set") or [])
    have = set(ctx.columns)
    missing, extra = sorted(wanted - have), sorted(have - wanted)
    exact = kw.get("exact_match", True)
    passed = not missing and (not extra or exact is False)
    examples = ([{"missing": missing}] if missing else []) + (
        [{"unexpected": extra}] if extra and exact is not False else []
    )
    return ctx.outcome(exp, passed, sorted(have), None, examples)


def row_count(ctx: Context, exp) -> ExpectationOutcome:
    kw = exp.configuration.kwargs
    history = (exp.meta or {}).get("row_count_history")
    strict = kw.get("strict_min", False), kw.get("strict_max", False)
    if exp.expectation_type == "expect_table_row_count_to_equal":
        value = ctx.resolve(kw["value"])
        return ctx.outcome(exp, ctx.row_count == value, ctx.row_count)
    params = {
        v["$PARAMETER"]
        for v in (kw.get("min_value"), kw.get("max_value"))
        if isinstance(v, dict) and "$PARAMETER" in v
    }
    if not history or not ctx.partition_column or params <= set(ctx.suite_params):
        low, high = ctx.resolve(kw.get("min_value")), ctx.resolve(kw.get("max_value"))
        return ctx.outcome(exp, within(ctx.row_count, low, high, *strict), ctx.row_count)
    ctx.require(ctx.partition_column)
    delivered = _delivered_per_day(ctx, history)
    if delivered is not None:
        loaded = delivered
        counts = {d: delivered.get(d, 0) for d in ctx.partition_days()}
    else:
        loaded = ctx.per_day("count(*)", whole_table=True)
        counts = ctx.per_day("count(*)")
    # An empty selection with no partition_date hint is still checked: count 0 against the
    # latest loaded days.
    days = ctx.partition_days() or [None]
    results, failed = {}, []
    for day in days:
        count = counts.get(day, 0)
        before = sorted((d for d in loaded if day is None or d < day), reverse=True)
        previous = [loaded[d] for d in before[: int(history.get("days", 7))]]
        median = statistics.median(previous) if previous else None
        computed = {}
        for bound, ratio_key in (("min_value", "min_ratio"), ("max_value", "max_ratio")):
            value = kw.get(bound)
            if isinstance(value, dict) and "$PARAMETER" in value:
                ratio = history.get(ratio_key)
                computed[value["$PARAMETER"]] = (
                    None if median is None or ratio is None else ratio * median
                )
        low = ctx.resolve(kw.get("min_value"), computed)
        high = ctx.resolve(kw.get("max_value"), computed)
        results[day] = count
        if not within(count, low, high, *strict):
            failed.append(
                {
                    "partition_date": day,
                    "row_count": count,
                    "min_value": low,
                    "max_value": high,
                    "median_of_previous_days": median,
                    "previous_days": len(previous),
                }
            )
    observed = next(iter(results.values())) if len(results) == 1 else results
    return ctx.outcome(exp, not failed, observed, None, failed)


def _delivered_per_day(ctx: Context, history: Mapping) -> dict[dt.date, int] | None:
    """meta.row_count_history.count = "delivered": volume is the valid rows each day's files
    delivered (loaded + duplicates, from audit.load_reconciliation), not the rows new to the
    table, so that a re-delivery of rows already loaded is not a collapse in volume.
    None when the audit table is not there (a table checked outside a load)."""
    if history.get("count") != "delivered":
        return None
    try:
        rows = ctx.selection.con.execute(
            "SELECT partition_date, sum(rows_loaded + rows_duplicate) "
            "FROM audit.load_reconciliation WHERE source = ? GROUP BY 1",
            [history["source"]],
        ).fetchall()
    except duckdb.CatalogException:
        return None
    return {_as_date(d): int(n) for d, n in rows}


def column_extreme(ctx: Context, exp) -> ExpectationOutcome | None:
    """expect_column_max/min_to_be_between; with meta.freshness_days, per partition day."""
    kw = exp.configuration.kwargs
    column = kw["column"]
    ctx.require(column)
    fn = "max" if exp.expectation_type == "expect_column_max_to_be_between" else "min"
    agg = f"{fn}({ident(column)})"
    strict = kw.get("strict_min", False), kw.get("strict_max", False)
    fresh_days = (exp.meta or {}).get("freshness_days")
    params = {
        v["$PARAMETER"]
        for v in (kw.get("min_value"), kw.get("max_value"))
        if isinstance(v, dict) and "$PARAMETER" in v
    }
    if fresh_days is None or (params and params <= set(ctx.suite_params)):
        observed = ctx.selection.execute(f"SELECT {agg} FROM __batch").fetchone()[0]
        low, high = ctx.resolve(kw.get("min_value")), ctx.resolve(kw.get("max_value"))
        return ctx.outcome(exp, within(observed, low, high, *strict), observed)
    days = ctx.partition_days()
    if not days:
        return None  # nothing to measure freshness against: reported as skipped
    if ctx.partition_column in ctx.columns:
        values = ctx.per_day(agg)
    else:  # a file checked before loading: the whole selection is the one partition
        values = {days[0]: ctx.selection.execute(f"SELECT {agg} FROM __batch").fetchone()[0]}
    results, failed = {}, []
    for day in days:
        observed = values.get(day)
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        computed = {name: midnight - dt.timedelta(days=fresh_days) for name in params}
        low = ctx.resolve(kw.get("min_value"), computed)
        high = ctx.resolve(kw.get("max_value"), computed)
        results[day] = observed
        if not within(observed, low, high, *strict):
            failed.append(
                {
                    "partition_date": day,
                    f"{fn}_{column}": observed,
                    "min_value": low,
                    "max_value": high,
                }
            )
    observed = next(iter(results.values())) if len(results) == 1 else results
    return ctx.outcome(exp, not failed, observed, None, failed)


def unexpected_rows(ctx: Context, exp) -> ExpectationOutcome:
    """unexpected_rows_expectation: the suite's SQL, `{batch}` being the selection; any
    row it returns is a failure, the first rows are the examples."""
    query = exp.configuration.kwargs["unexpected_rows_query"].replace("{batch}", "__batch")
    count = ctx.selection.execute(f"SELECT count(*) FROM ({query}) AS __unexpected").fetchone()[0]
    examples = []
    if count:
        cursor = ctx.selection.execute(
            f"SELECT * FROM ({query}) AS __unexpected LIMIT {MAX_EXAMPLES}"
        )
        names = [d[0] for d in cursor.description]
        examples = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return ctx.outcome(exp, count == 0, count, count, examples)


EVALUATORS = {
    "expect_column_values_to_be_unique": unique,
    "expect_compound_columns_to_be_unique": unique,
    "expect_column_values_to_be_of_type": column_type,
    "expect_column_values_to_be_in_type_list": column_type,
    "expect_column_to_exist": column_exists,
    "expect_table_columns_to_match_set": columns_match_set,
    "expect_table_row_count_to_be_between": row_count,
    "expect_table_row_count_to_equal": row_count,
    "expect_column_max_to_be_between": column_extreme,
    "expect_column_min_to_be_between": column_extreme,
    "unexpected_rows_expectation": unexpected_rows,
}


def evaluate(ctx: Context, exp) -> ExpectationOutcome | None:
    """One in-database expectation; one that cannot be evaluated fails (a check that did
    not run must not pass), with the reason as its observed value."""
    try:
        return EVALUATORS[exp.expectation_type](ctx, exp)
    except (EvaluationError, duckdb.Error, KeyError, TypeError, ValueError) as exc:
        return ctx.outcome(exp, False, {"error": f"{type(exc).__name__}: {exc}"})
