"""The dbt project as Dagster assets; its tests become asset checks (error = blocking)."""

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_dbt.dbt_manifest import validate_manifest

from cx_pipeline.defs.catalog import DAILY_FRESHNESS, dbt_test_description, owners
from cx_pipeline.instance.progress import REBUILT_KEY
from cx_pipeline.instance.run_window import run_window, window_label
from cx_pipeline.warehouse import build_state, reference
from cx_pipeline.warehouse.check_audit import record_and_alert, to_record
from cx_pipeline.warehouse.dbt_in_process import dbt_in_process
from cx_pipeline.warehouse.dbt_project import (
    cx_dbt_project,
    dbt_environment,
    definitions_manifest,
)
from cx_pipeline.warehouse.resource import WRITER_POOL, WarehouseResource

DBT_PROJECT = cx_dbt_project()
DBT_MANIFEST = definitions_manifest(DBT_PROJECT.project_dir)
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

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # The UI renders descriptions as Markdown: a placeholder such as <name> would be
        # taken for an HTML tag and vanish, as code it is shown as written.
        return re.sub(
            r"(<[A-Za-z_][^<>\s]*>)", r"`\1`", super().get_description(dbt_resource_props)
        )

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        return super().get_owners(dbt_resource_props) or owners()

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.key.path[0] == "marts" and spec.freshness_policy is None:
            spec = spec.replace_attributes(freshness_policy=DAILY_FRESHNESS)
        return spec

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(
            spec.name,
            asset=spec.asset_key,
            description=dbt_test_description(manifest["nodes"][unique_id], manifest),
            additional_deps=spec.additional_deps,
            blocking=spec.blocking,
            metadata=spec.metadata,
            automation_condition=spec.automation_condition,
            partitions_def=spec.partitions_def,
        )


CX_DBT_TRANSLATOR = CxDbtTranslator()


@dbt_assets(
    manifest=DBT_MANIFEST,
    project=DBT_PROJECT,
    dagster_dbt_translator=CX_DBT_TRANSLATOR,
    pool=WRITER_POOL,
)
def cx_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    # The models are not partitioned (a partitioned asset costs one Dagster event per day
    # of a run, ~15 ms each in SQLite, for models that are whole incremental tables anyway):
    # they take the window of the raw partitions the run loads from its tags. The window
    # reaches dbt as environment variables (see macro partition_window), so dbt's
    # partial parse survives a new window; without one, everything is recomputed.
    settings = warehouse.settings()
    try:
        reference.validate(settings)
    except reference.ReferenceDataError as exc:
        raise dg.Failure(description=str(exc)) from None
    reference_digest = reference.digest(settings)
    with warehouse.write() as con:
        unchanged = build_state.fingerprint(con, settings) == build_state.last_published(con)
        full_refresh = build_state.needs_full_refresh(con, reference_digest)
        if unchanged and context.run.tags.get(REBUILD_TAG) != "true":
            # Outputs are optional: none yielded, so publish is skipped too.
            context.log.info(
                "raw tables, dbt project and settings are those of the last published build: "
                "dbt build and publish skipped, the published marts are current"
            )
            return
        changed = None if full_refresh else build_state.changed_sources(con, settings)
        build_state.record_build_started(con, context.run_id)
    current_models = unaffected_models(changed)
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
    if current_models:
        # Their tests go with them (dbt's eager indirect selection).
        args += ["--exclude", *sorted(n["name"] for n in current_models.values())]
        context.log.info(
            f"only {', '.join(sorted(changed))} changed since the published build: "
            f"{len(current_models)} models reading none of them are current and not rebuilt"
        )
    # No dbt.log in the target folder: at debug level it cost a third of dbt's worker
    # threads' time, and its info lines are what the load's log holds already.
    with (
        warehouse.writer_lock(),
        dbt_environment(settings) as paths,
        _invocation_env({**window_env, **paths, "DBT_LOG_LEVEL_FILE": "none"}),
    ):
        # In this process, where dbt is imported already (see dbt_in_process.py); the
        # target folder dbt_environment holds for this invocation, so that dbt's partial
        # parsing is reused instead of a full parse per run.
        invocation = dbt_in_process(
            args,
            context=context,
            manifest=DBT_MANIFEST,
            translator=CX_DBT_TRANSLATOR,
            project_dir=Path(dbt.project_dir),
            profiles_dir=Path(dbt.profiles_dir or dbt.project_dir),
            target_path=settings.dbt_target_path,
        )
        # Given the row counts and column types of the tables dbt built once it is done.
        # dagster-dbt's fetch_row_counts() reads them through dbt's adapter, whose
        # read-only connection then stays open in this process and keeps the step from
        # writing the file again.
        events = list(invocation.stream())
        checks = [e for e in events if isinstance(e, dg.AssetCheckResult)]
        with warehouse.write() as con:
            # dbt holds the DuckDB file while it runs: record the checks once it is done.
            record_and_alert(
                con,
                [to_record(c) for c in checks],
                window_label(window),
                context.run_id,
                context.log,
                settings,
            )
            # Only a complete build is a baseline: after a failed one, the next run
            # rebuilds everything again.
            if invocation.is_successful():
                build_state.record_reference(con, reference_digest, full_refresh, context.run_id)
            events = [_with_table_metadata(con, invocation.manifest, e) for e in events]
        if invocation.is_successful() and current_models:
            built = {e.output_name for e in events if isinstance(e, dg.Output)}
            current = _current_outputs(context, current_models, changed, built)
            events = _in_dependency_order([*current, *events])
        yield from events
    if not invocation.is_successful():
        raise dg.Failure(
            description="dbt build failed (a model or an error-severity test); "
            "downstream assets are not materialized"
            + (f": {invocation.error}" if invocation.error else ""),
            metadata={"failures": dg.MetadataValue.json(_failures(invocation))},
        )


def unaffected_models(changed: set[str] | None) -> dict[str, Mapping[str, Any]]:
    """The models that read none of the `changed` raw tables, directly or through others
    (none when every model builds: `changed` is None or empty)."""
    if not changed:
        return {}
    manifest = validate_manifest(DBT_MANIFEST)
    affected: set[str] = set()
    pending = [
        uid
        for uid, source in manifest["sources"].items()
        if source["source_name"] == "raw" and source["name"] in changed
    ]
    while pending:
        for child in manifest["child_map"].get(pending.pop(), []):
            if child not in affected:
                affected.add(child)
                pending.append(child)
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and uid not in affected
    }


def _current_outputs(context, models, changed, built: set[str]) -> Iterator[dg.Output]:
    """An output for each model that was current and not rebuilt, so that the steps after
    the build (its checks, the publish) run as they do after a whole build."""
    reason = f"reads none of the changed raw tables ({', '.join(sorted(changed or ()))})"
    for node in models.values():
        key = CX_DBT_TRANSLATOR.get_asset_key(node)
        name = context.assets_def.get_output_name_for_asset_key(key)
        # dagster-dbt may select a subset through a selector, where dbt ignores --exclude.
        if name in context.selected_output_names and name not in built:
            yield dg.Output(
                None,
                output_name=name,
                metadata={"unique_id": node["unique_id"], REBUILT_KEY: False, "cx/reason": reason},
            )


def _in_dependency_order(events: list) -> list:
    """Dagster takes a multi-asset's outputs only after those of the assets they read, and
    the models that were current sit among the rebuilt ones (they read the seeds, and
    rebuilt models read them): every event goes after the events of its node's parents,
    a check after its model; dbt's order otherwise."""
    manifest = validate_manifest(DBT_MANIFEST)
    nodes = {**manifest["nodes"], **manifest["sources"]}
    depth: dict[str, int] = {}

    def depth_of(uid: str) -> int:
        if uid not in depth:
            parents = nodes.get(uid, {}).get("depends_on", {}).get("nodes", [])
            depth[uid] = 1 + max((depth_of(p) for p in parents if p in nodes), default=-1)
        return depth[uid]

    node_of_key = {
        CX_DBT_TRANSLATOR.get_asset_key(node): uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }

    def position(indexed) -> tuple[int, int, int]:
        index, event = indexed
        if isinstance(event, dg.Output):
            uid = event.metadata["unique_id"].value if "unique_id" in event.metadata else None
            return (depth_of(uid) if uid else 0, 0, index)
        key = getattr(event, "asset_key", None)
        uid = node_of_key.get(key)
        return (depth_of(uid) if uid else 1 << 30, 1, index)

    return [event for _, event in sorted(enumerate(events), key=position)]


def _with_table_metadata(con, manifest: Mapping[str, Any], event):
    if not isinstance(event, dg.Output | dg.AssetMaterialization):
        return event
    unique_id = event.metadata.get("unique_id")
    node = manifest["nodes"].get(unique_id.value) if unique_id else None
    if not node or node.get("config", {}).get("materialized") == "view":
        return event  # a view's count would run its whole query
    schema, table = node["schema"], node.get("alias") or node["name"]
    types = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, table],
    ).fetchall()
    if not types:
        return event
    (rows,) = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()
    docs = node.get("columns") or {}
    column_schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name, data_type, description=(docs.get(name) or {}).get("description"))
            for name, data_type in types
        ]
    )
    return event.with_metadata(
        {
            **event.metadata,
            "dagster/row_count": dg.MetadataValue.int(rows),
            "dagster/column_schema": column_schema,
        }
    )


@contextmanager
def _invocation_env(values: dict[str, str]) -> Iterator[None]:
    """The environment of this one dbt invocation: dbt reads its variables (`env_var()`,
    its `DBT_*` flags) from os.environ when an invocation starts, so the values are laid
    over it for the call and taken off again as soon as dbt is done."""
    saved = {name: os.environ[name] for name in values.keys() & os.environ.keys()}
    os.environ.update(values)
    try:
        yield
    finally:
        for name in values:
            os.environ.pop(name, None)
        os.environ.update(saved)


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
