"""The row rules of the raw expectation suites, derived from the canonical records
(cx_pipeline/ingest/canonical.py), so that what the loader quarantines and what the suites
re-check cannot drift apart.

A raw suite, `expectations/raw_<table>.json`, opens with these rules, each marked
`meta.derived_from`: a type check of the key and of every typed column, not-null for every
required column, a value set for every enumerated one, bounds for every range. The rules
after them are written by hand: what a single row cannot show (uniqueness per delivery,
completeness, volume, freshness, reconciliation) and warnings. The staging suites
(`expectations/stg_*.json`) stay hand-written: they check dbt's staging columns (hashed
personal ids, ratings rescaled to 5), which canonical.py does not describe.

After changing canonical.py, run `python -m cx_pipeline.quality.canonical_rules`: it
rewrites the derived rules of every raw suite and keeps the hand-written ones.
tests/test_canonical_suites.py fails while a committed suite differs from what it writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cx_pipeline.ingest.canonical import SOURCES, Column, Source
from cx_pipeline.quality.suites import expectations_dir, raw_suite_of

DERIVED_FROM = "cx_pipeline/ingest/canonical.py"
# How DuckDB names a type in DESCRIBE, which the type check compares with.
_DESCRIBED_TYPES = {"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE"}


def _rule(column: Column, kind: str, **kwargs: Any) -> dict[str, Any]:
    rule = {
        "type": kind,
        "kwargs": {"column": column.name, **kwargs},
        "meta": {"severity": "error", "derived_from": DERIVED_FROM},
    }
    if column.why:
        rule["notes"] = column.why
    return rule


def _column_rules(source: Source, column: Column) -> list[dict[str, Any]]:
    rules = []
    if column.name == source.key or column.type != "VARCHAR":
        described = _DESCRIBED_TYPES.get(column.type, column.type)
        rules.append(_rule(column, "expect_column_values_to_be_of_type", type_=described))
    if column.required:
        rules.append(_rule(column, "expect_column_values_to_not_be_null"))
    if column.allowed:
        rules.append(
            _rule(column, "expect_column_values_to_be_in_set", value_set=list(column.allowed))
        )
    bounds = {"min_value": column.low, "max_value": column.high}
    bounds = {k: v for k, v in bounds.items() if v is not None}
    if bounds:
        rules.append(_rule(column, "expect_column_values_to_be_between", **bounds))
    return rules


def row_rules(source: Source) -> list[dict[str, Any]]:
    """The derived rules of a source's raw suite, column by column in canonical order."""
    return [rule for column in source.columns for rule in _column_rules(source, column)]


def is_derived(expectation: dict[str, Any]) -> bool:
    return (expectation.get("meta") or {}).get("derived_from") == DERIVED_FROM


def with_row_rules(suite: dict[str, Any] | None, source: Source) -> dict[str, Any]:
    """`suite` (the parsed JSON, None for a new one) with its name, its source's table and
    key, and its derived rules taken from canonical.py; every other rule kept in order."""
    suite = dict(suite or {})
    meta = dict(suite.get("meta") or {})
    meta.update(source=source.name, table=f"raw.{source.table}", key=source.key)
    meta.setdefault("partition_column", "_partition_date")
    hand_written = [e for e in suite.get("expectations", []) if not is_derived(e)]
    return {
        **suite,
        "name": raw_suite_of(source),
        "meta": meta,
        "expectations": [*row_rules(source), *hand_written],
    }


def suite_path(source: Source) -> Path:
    return expectations_dir() / f"{raw_suite_of(source)}.json"


def suite_text(source: Source) -> str:
    """The raw suite file of `source` as this module writes it."""
    path = suite_path(source)
    current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return json.dumps(with_row_rules(current, source), indent=2, ensure_ascii=False) + "\n"


def write_suites() -> list[Path]:
    """Rewrite every raw suite whose derived rules are out of date; returns those files."""
    changed = []
    for source in SOURCES.values():
        path, text = suite_path(source), suite_text(source)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


if __name__ == "__main__":
    for written in write_suites():
        print(f"rewrote {written}")
