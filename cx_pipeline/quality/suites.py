"""Expectation suites: one Great Expectations 1.x ExpectationSuite per JSON file in
`expectations/` (or the folder `CX_EXPECTATIONS_DIR` names), reviewed like code.

Conventions on top of GX, all kept in the JSON so a reviewer sees them:

- every expectation's `meta.severity` is `error` (blocking) or `warning` (alerts only);
  absent means error. GX's own `severity` field is set to match (critical / warning).
- `meta.check` names a table-level expectation (e.g. `freshness`, `reconciliation`) in
  outcomes and alerts; column expectations are named by type and column.
- `meta.after_load: true` marks an expectation that needs what the loader adds (partition
  metadata, audit tables, earlier partitions); it is skipped when a file is checked
  before loading.
- `$PARAMETER` bounds are filled in at run time: see `cx_pipeline.quality.database`
  (row counts from history, freshness from the partition date).
- suite `meta.key` is the record key shown next to each failing example;
  `meta.partition_column` is the column that holds the daily partition.
- `meta.derived_from` marks a raw suite's row rules written from the canonical records by
  `cx_pipeline.quality.canonical_rules` (rerun it, do not edit them by hand).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cx_pipeline import settings
from cx_pipeline.quality._gx import gx

if TYPE_CHECKING:
    from cx_pipeline.ingest.canonical import Source

SEVERITIES = ("error", "warning")
_GX_SEVERITY = {"error": "critical", "warning": "warning"}

# Each row passes or fails on its own: one SQL scan counts them all (rowwise_sql.py), or
# GX's pandas engine in batches whose counts add up (rowwise.py).
ROWWISE_TYPES = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_match_regex_list",
        "expect_column_values_to_not_match_regex_list",
        "expect_column_value_lengths_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_column_values_to_match_strftime_format",
        "expect_column_values_to_be_dateutil_parseable",
        "expect_column_values_to_be_json_parseable",
        "expect_column_values_to_be_increasing",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_to_be_in_set",
        "expect_select_column_values_to_be_unique_within_record",
        "expect_multicolumn_sum_to_equal",
    }
)

# Answered by one DuckDB query over the whole selection (see database.py): they need every
# selected row at once (uniqueness, counts, extremes) or the table's schema.
DATABASE_TYPES = frozenset(
    {
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_be_of_type",
        "expect_column_values_to_be_in_type_list",
        "expect_column_to_exist",
        "expect_table_columns_to_match_set",
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_column_max_to_be_between",
        "expect_column_min_to_be_between",
        "unexpected_rows_expectation",
    }
)

SUPPORTED_TYPES = ROWWISE_TYPES | DATABASE_TYPES


class SuiteError(ValueError):
    """A suite file that cannot be used: bad JSON, unknown expectation, bad severity."""


def expectations_dir() -> Path:
    return settings.current().expectations_dir


def suite_names() -> list[str]:
    return sorted(p.stem for p in expectations_dir().glob("*.json"))


def raw_suite(source_name: str) -> str:
    """The suite of a source's raw table: `surveys` -> `raw_survey_responses`."""
    from cx_pipeline.ingest.canonical import SOURCES

    return raw_suite_of(SOURCES[source_name])


def raw_suite_of(source: Source) -> str:
    return f"raw_{source.table}"


def read_suite_json(name: str) -> dict[str, Any]:
    path = expectations_dir() / f"{name}.json"
    if not path.is_file():
        raise SuiteError(f"no expectation suite {name!r}: {path} does not exist")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise SuiteError(f"{path}: expected an object with an 'expectations' list")
    if data.get("name", name) != name:
        raise SuiteError(f"{path}: suite name {data['name']!r} differs from the file name")
    return data


def load_suite(name: str):
    """The suite `expectations/<name>.json` as a `great_expectations.ExpectationSuite`.

    Raises SuiteError for anything GX would otherwise skip with only a log line (an unknown
    expectation type is dropped by `ExpectationSuite(...)`), and for expectations this
    project cannot evaluate, so a typo never silently removes a check.
    """
    great_expectations = gx()  # first, so analytics are off before GX is imported
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    data = read_suite_json(name)
    expectations = []
    for i, raw in enumerate(data["expectations"]):
        where = f"{name}.json expectation {i} ({raw.get('type')})"
        kind = raw.get("type")
        if kind not in SUPPORTED_TYPES:
            raise SuiteError(
                f"{where}: type not supported here; use one of {sorted(SUPPORTED_TYPES)}"
            )
        meta = raw.get("meta") or {}
        severity = meta.get("severity", "error")
        if severity not in SEVERITIES:
            raise SuiteError(f"{where}: meta.severity must be one of {SEVERITIES}")
        if raw.get("severity") not in (None, _GX_SEVERITY[severity]):
            raise SuiteError(f"{where}: severity {raw['severity']!r} contradicts meta.severity")
        if kind == "unexpected_rows_expectation":
            query = raw.get("kwargs", {}).get("unexpected_rows_query", "")
            if "{batch}" not in query:
                raise SuiteError(f"{where}: unexpected_rows_query must select from {{batch}}")
        config = {k: v for k, v in raw.items() if k != "severity"}
        try:
            expectation = ExpectationConfiguration(**config).to_domain_obj()
        except Exception as exc:  # GX raises several unrelated types for bad configs
            raise SuiteError(f"{where}: {exc}") from exc
        expectation.severity = _GX_SEVERITY[severity]
        expectations.append(expectation)
    suite = great_expectations.ExpectationSuite(
        name=name, expectations=expectations, meta=data.get("meta") or {}, notes=data.get("notes")
    )
    if len(suite.expectations) != len(expectations):
        raise SuiteError(f"{name}.json: GX dropped {len(expectations) - len(suite.expectations)}")
    return suite


def severity(expectation) -> str:
    return (expectation.meta or {}).get("severity", "error")


def columns_of(expectation) -> list[str]:
    """The columns an expectation reads, in the order its kwargs name them."""
    kwargs = expectation.configuration.kwargs
    cols: list[str] = []
    for key in ("column", "column_A", "column_B"):
        if kwargs.get(key):
            cols.append(kwargs[key])
    for key in ("column_list",):
        cols.extend(kwargs.get(key) or [])
    return cols


def describe(expectation) -> str:
    """How outcomes and alerts name an expectation: `type(column)` or `type[check]`."""
    kind = expectation.expectation_type
    check = (expectation.meta or {}).get("check")
    cols = columns_of(expectation)
    if cols and check:
        return f"{kind}({', '.join(cols)})[{check}]"
    if cols:
        return f"{kind}({', '.join(cols)})"
    if check:
        return f"{kind}[{check}]"
    return kind
