"""Row-level expectations, evaluated by Great Expectations on pandas batches.

The selection is streamed out of DuckDB in batches of at most `batch_rows` rows (only the
columns the expectations read, plus the key for examples); GX validates each batch with an
ephemeral context; the per-batch results are merged. A row passes or fails on its own, so
the merge is exact: counts add up, and `mostly` is applied to the totals the way GX
applies it to one batch (share of unexpected among the non-missing rows). With a single
batch, GX's own verdict is used unchanged.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from cx_pipeline.quality._gx import ephemeral_context, gx
from cx_pipeline.quality.database import MAX_EXAMPLES, Context, percent
from cx_pipeline.quality.results import ExpectationOutcome, json_safe
from cx_pipeline.quality.suites import columns_of, describe, severity
from cx_pipeline.settings import current
from cx_pipeline.warehouse.sql_quote import ident

_VECTOR = 2048  # DuckDB hands results out in vectors of this many rows


def batch_rows_setting() -> int:
    """Largest batch handed to GX; `CX_GX_BATCH_ROWS` overrides (memory vs. speed)."""
    return current().gx_batch_rows


@dataclass
class Tally:
    """One expectation's results summed over batches."""

    element_count: int = 0
    unexpected_count: int = 0
    missing_count: int = 0
    batches: int = 0
    gx_success: bool = True
    error: str | None = None
    examples: list = field(default_factory=list)

    def add(self, result, key: str | None) -> None:
        self.batches += 1
        info = result.exception_info or {}
        if info.get("raised_exception") and self.error is None:
            self.error = info.get("exception_message") or "GX raised an exception"
        r = result.result or {}
        self.element_count += r.get("element_count") or 0
        self.unexpected_count += r.get("unexpected_count") or 0
        self.missing_count += r.get("missing_count") or 0
        self.gx_success = self.gx_success and bool(result.success)
        if len(self.examples) < MAX_EXAMPLES:
            rows = r.get("partial_unexpected_index_list") if key else None
            self.examples.extend((rows or r.get("partial_unexpected_list") or [])[:MAX_EXAMPLES])
            del self.examples[MAX_EXAMPLES:]


def evaluate(
    ctx: Context, expectations: list, suite_name: str, batch_rows: int | None = None
) -> dict[int, ExpectationOutcome]:
    """Outcomes of the row-level `expectations`, keyed by their index in that list."""
    if not expectations:
        return {}
    batch_rows = batch_rows or batch_rows_setting()
    columns: list[str] = []
    for exp in expectations:
        columns.extend(c for c in columns_of(exp) if c not in columns)
    key = ctx.key if ctx.key in ctx.columns else None
    if key and key not in columns:
        columns.append(key)

    # A copy of each expectation, tagged with its index: GX returns results in its own order.
    configs = []
    for i, exp in enumerate(expectations):
        config = exp.configuration
        config.meta = {**(config.meta or {}), "_cx_index": i}
        configs.append(config.to_domain_obj())
    sub_suite = gx().ExpectationSuite(name=f"{suite_name}.rowwise", expectations=configs)

    context = ephemeral_context()
    batch_definition = (
        context.data_sources.add_pandas("cx")
        .add_dataframe_asset("selection")
        .add_batch_definition_whole_dataframe("whole")
    )
    result_format: dict[str, Any] = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": MAX_EXAMPLES,
        "return_unexpected_index_query": False,
    }
    if key:
        result_format["unexpected_index_column_names"] = [key]

    # GX compares integer columns (int32, nullable Int32...) with `between` one Python call
    # per value; as float64 the same check is vectorised (~10x faster). Exact for scores;
    # examples get their integers back in _outcome.
    as_float = {
        exp.configuration.kwargs["column"]
        for exp in expectations
        if exp.expectation_type == "expect_column_values_to_be_between"
        and _is_integer_type(ctx.columns.get(exp.configuration.kwargs["column"], ""))
    }

    tallies = [Tally() for _ in expectations]
    cursor = ctx.selection.execute(
        "SELECT " + ", ".join(ident(c) for c in columns) + " FROM __batch"
    )
    vectors = max(1, -(-batch_rows // _VECTOR))
    while True:
        with warnings.catch_warnings():
            # duckdb's own DataFrame conversion trips pandas deprecation warnings
            warnings.simplefilter("ignore")
            frame = cursor.fetch_df_chunk(vectors)
        if frame.empty:
            break
        for column in as_float:
            frame[column] = frame[column].astype("float64")
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(
            sub_suite, result_format=result_format, expectation_parameters=ctx.suite_params
        )
        for result in validation.results:
            tallies[result.expectation_config.meta["_cx_index"]].add(result, key)
        del frame, batch, validation  # one batch in memory at a time
    return {i: outcome(ctx, exp, tallies[i]) for i, exp in enumerate(expectations)}


def outcome(ctx: Context, exp, tally: Tally) -> ExpectationOutcome:
    cols = columns_of(exp)
    considered = tally.element_count - tally.missing_count
    if tally.error:
        passed, observed = False, {"error": tally.error}
    else:
        if tally.batches <= 1:
            passed = tally.gx_success
        else:
            mostly = ctx.resolve(exp.configuration.kwargs.get("mostly", 1.0))
            passed = considered <= 0 or (considered - tally.unexpected_count) / considered >= (
                mostly
            )
        observed = {
            "element_count": tally.element_count,
            "unexpected_count": tally.unexpected_count,
            "unexpected_percent": percent(tally.unexpected_count, considered),
        }
        if tally.missing_count:
            observed["missing_count"] = tally.missing_count
    examples = [] if passed else tally.examples
    if exp.expectation_type == "expect_column_values_to_be_between" and _is_integer_type(
        ctx.columns.get(cols[0], "")
    ):
        examples = [_integral(json_safe(example)) for example in examples]
    if (exp.meta or {}).get("pii"):
        examples = [_redact(example, ctx.key) for example in examples]
    return ExpectationOutcome(
        expectation=describe(exp),
        column=cols[0] if cols else None,
        passed=bool(passed),
        severity=severity(exp),
        observed_value=json_safe(observed),
        unexpected_count=None if tally.error else tally.unexpected_count,
        examples=json_safe(examples),
    )


def _is_integer_type(duckdb_type: str) -> bool:
    return duckdb_type.upper() in {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
    }


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


def _redact(example: Any, key: str | None) -> Any:
    """meta.pii: a failing value may be the personal data the check looks for; alerts and
    audit.check_results get only the record's key."""
    if isinstance(example, dict):
        return {k: (v if k == key else "[redacted]") for k, v in example.items()}
    return "[redacted]"
