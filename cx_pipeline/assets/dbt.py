"""The dbt project as Dagster assets; its tests become asset checks (error = blocking)."""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from cx_pipeline import build_state, reference
from cx_pipeline.check_audit import record_and_alert, to_record
from cx_pipeline.dbt_project import cx_dbt_project
from cx_pipeline.partitions import run_window, window_label
from cx_pipeline.resources import WRITER_POOL, WarehouseResource

DBT_PROJECT = cx_dbt_project()
# A run tagged cx/rebuild=true builds even when nothing changed since the last publish.
REBUILD_TAG = "cx/rebuild"


class CxDbtTranslator(DagsterDbtTranslator):
    """dbt sources attach to the raw assets (raw/<table>); models are keyed by schema."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=CxDbtTranslator(),
    pool=WRITER_POOL,
)
def cx_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    # The models are not partitioned (a partitioned asset costs one Dagster event per day
    # of a run, ~15 ms each in SQLite, for models that are whole incremental tables anyway):
    # they take the window of the raw partitions the run loads from its tags. The window
    # reaches dbt as environment variables (see int_incremental_window.sql), so dbt's
    # partial parse survives a new window; without one, everything is recomputed.
    try:
        reference.validate()
    except reference.ReferenceDataError as exc:
        raise dg.Failure(description=str(exc)) from None
    reference_digest = reference.digest()
    with warehouse.write() as con:
        unchanged = build_state.fingerprint(con) == build_state.last_published(con)
        full_refresh = build_state.needs_full_refresh(con, reference_digest)
    if unchanged and context.run.tags.get(REBUILD_TAG) != "true":
        # Outputs are optional: none yielded, so publish is skipped too.
        context.log.info(
            "raw tables, dbt project and settings are those of the last published build: "
            "dbt build and publish skipped, the published marts are current"
        )
        return
    window = run_window(context.run)
    window_env = dict(
        zip(("CX_PARTITION_START", "CX_PARTITION_END"), window or ("", ""), strict=True)
    )
    if full_refresh:
        context.log.info(
            "reference data differ from those of the last build: every incremental model "
            "is rebuilt from all raw rows (dbt build --full-refresh)"
        )
    # Unit tests check formulas on fixed rows, not the data: they run in the test suite
    # (tests/test_dbt_unit_tests.py), not in every load.
    args = ["build", "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    with warehouse.writer_lock(), _environ({**window_env, **reference.dbt_env()}):
        # The project's own target folder (we hold the writer lock), so that dbt's partial
        # parsing is reused instead of a full parse per run.
        invocation = dbt.cli(
            args,
            context=context,
            raise_on_error=False,
            target_path=Path(DBT_PROJECT.target_path),
        )
        checks = []
        for event in invocation.stream():
            if isinstance(event, dg.AssetCheckResult):
                checks.append(event)
            yield event
        # dbt holds the DuckDB file while it runs: record the checks once it is done.
        with warehouse.write() as con:
            record_and_alert(
                con,
                [to_record(c) for c in checks],
                window_label(window),
                context.run_id,
                context.log,
            )
            # Only a complete build is a baseline: after a failed one, the next run
            # rebuilds everything again.
            if invocation.is_successful():
                build_state.record_reference(con, reference_digest, full_refresh, context.run_id)
    if not invocation.is_successful():
        raise dg.Failure(
            description="dbt build failed (a model or an error-severity test); "
            "downstream assets are not materialized",
            metadata={"failures": dg.MetadataValue.json(_failures(invocation))},
        )


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """dbt's subprocess inherits os.environ (DbtCliResource copies it at invocation)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _failures(invocation) -> list[str]:
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except Exception:  # the artifact is missing when dbt died before writing it
        return []
    return [
        f"{r['unique_id']}: {r['status']} {r.get('message') or ''}".strip()
        for r in results
        if r["status"] in ("error", "fail")
    ][:50]
