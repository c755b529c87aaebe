"""What the Dagster UI shows about the assets beyond their data: owners, column schemas,
freshness, and a readable sentence for each dbt test."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import dagster as dg

from cx_pipeline.ingest.canonical import Source
from cx_pipeline.settings import current

# The schedule loads yesterday at 02:00 UTC. A raw asset older than a day and two hours
# missed its load (no run, or a failed one). The marts and the published copy also age when
# a day brought nothing new, since dbt and the publish are then skipped: that is how a late
# delivery shows, while the raw suites warn about the missing file itself.
DAILY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=26), warn_window=timedelta(hours=25)
)

# Written by the loader next to the canonical columns of every raw table.
_LOAD_COLUMNS = (
    ("_extras", "JSON", "the export's columns that are not in the canonical record"),
    ("_source_file", "VARCHAR", "the landing file the row came from"),
    ("_record_number", "BIGINT", "the record's position in its file"),
    ("_partition_date", "DATE", "the landing folder's date (the Dagster partition)"),
    ("_row_hash", "VARCHAR", "hash of the row's content, for duplicates and re-deliveries"),
    ("_profile", "VARCHAR", "the mapping profile that read the file"),
    ("_run_id", "VARCHAR", "the Dagster run that loaded the row"),
    (
        "_loaded_at",
        "TIMESTAMPTZ",
        "when the row was first loaded (a re-run delivering it unchanged keeps it)",
    ),
)


def owners() -> list[str]:
    return current().asset_owners


def raw_column_schema(source: Source) -> dg.TableSchema:
    columns = []
    for column in source.columns:
        notes = []
        if column.name in source.pii:
            notes.append("personal id, stored as a keyed hash")
        if column.low is not None and column.high is not None:
            notes.append(f"between {column.low:g} and {column.high:g}")
        elif column.low is not None:
            notes.append(f"at least {column.low:g}")
        elif column.high is not None:
            notes.append(f"at most {column.high:g}")
        if column.allowed:
            notes.append("one of " + ", ".join(column.allowed))
        if column.precision_of:
            notes.append(f"how precisely {column.precision_of} is known (NULL: to the second)")
        columns.append(
            dg.TableColumn(
                name=column.name,
                type=column.type,
                description="; ".join(notes) or None,
                constraints=dg.TableColumnConstraints(nullable=not column.required),
            )
        )
    columns.extend(
        dg.TableColumn(name=name, type=kind, description=text) for name, kind, text in _LOAD_COLUMNS
    )
    return dg.TableSchema(columns=columns)


def _model_name(test: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    attached = test.get("attached_node") or ""
    node = manifest.get("nodes", {}).get(attached) or manifest.get("sources", {}).get(attached)
    if node:
        return f"{node.get('schema')}.{node.get('alias') or node.get('name')}"
    return attached.rsplit(".", 1)[-1] or "its model"


def dbt_test_description(test: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    """The test's own description when the project gives one, else a sentence naming the
    test, its column and its model."""
    if test.get("description"):
        return test["description"]
    metadata = test.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    name = metadata.get("name")
    model = _model_name(test, manifest)
    column = kwargs.get("column_name") or test.get("column_name")
    if name == "not_null":
        what = f"{column} of {model} is never NULL."
    elif name == "not_null_columns":
        columns = ", ".join(kwargs.get("columns") or [])
        what = f"None of {columns} of {model} is ever NULL (a failing row names the column)."
    elif name == "unique":
        what = f"{column} of {model} has no duplicate value."
    elif name == "accepted_values":
        values = ", ".join(map(str, kwargs.get("values") or []))
        what = f"{column} of {model} takes only the values {values}."
    elif name == "unique_combination":
        columns = ", ".join(kwargs.get("columns") or [])
        what = f"No two rows of {model} share ({columns})."
    elif name == "expression_holds":
        what = f"{kwargs.get('expression')} holds on every row of {model}."
    elif name:
        target = f"{column} of {model}" if column else model
        what = f"dbt test {name} on {target}."
    else:
        what = f"dbt test {test.get('name')} (a SQL query returning the failing rows) on {model}."
    severity = (test.get("config") or {}).get("severity", "ERROR").upper()
    effect = (
        "a failure fails the build, and nothing is published"
        if severity == "ERROR"
        else "warns when it fails, does not block"
    )
    return f"{what} Severity {severity.lower()}: {effect}."
