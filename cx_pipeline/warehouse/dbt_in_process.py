"""`dbt build` in the step's own process (dbt's `dbtRunner`), turned into Dagster events.

dagster-dbt's `DbtCliResource.cli` starts dbt as a new process per run, which imports dbt
and its adapter again (about 4 s on this project's 2-core machine) before it reads the
partial parse; in the step's process dbt is imported already (dagster-dbt loads it to
describe the project). So the build runs here, and its result events take the route
dagster-dbt gives a process's JSON log lines: the same `DbtCoreCliEventMessage`, the same
translator and selection, so the assets and checks are those the subprocess gave.

dbt-duckdb keeps its DuckDB database open in a class attribute after a build; DuckDB opens
one database per file and process, with one configuration, so the step's own connection
(another memory limit) could not open the file until it is released: `release_duckdb`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster_dbt import DagsterDbtTranslator, DbtProject
from dagster_dbt.asset_utils import get_updated_cli_invocation_params_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dagster_dbt.dbt_manifest import DbtManifestParam, validate_manifest

# The events dagster-dbt turns into outputs and check results (its `is_result_event`).
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})


@dataclass
class InProcessDbtInvocation:
    """What the asset asks of a dbt invocation: its events, its verdict, its artifacts."""

    manifest: Mapping[str, Any]
    translator: DagsterDbtTranslator
    context: Any
    project: DbtProject | None
    target_path: Path
    success: bool = False
    error: str | None = None
    raw_events: list[dict[str, Any]] = field(default_factory=list)

    def stream(self) -> Iterator[Any]:
        for raw_event in self.raw_events:
            event = DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={})
            yield from event.to_default_asset_events(
                manifest=self.manifest,
                dagster_dbt_translator=self.translator,
                context=self.context,
                target_path=self.target_path,
                project=self.project,
            )

    def is_successful(self) -> bool:
        return self.success

    def get_artifact(self, name: str) -> dict[str, Any]:
        return json.loads((self.target_path / name).read_text(encoding="utf-8"))


def dbt_in_process(
    args: Sequence[str],
    *,
    context,
    manifest: DbtManifestParam,
    translator: DagsterDbtTranslator,
    project_dir: Path,
    profiles_dir: Path,
    target_path: Path,
) -> InProcessDbtInvocation:
    """Run `dbt <args>` for the assets and checks the step's context selects."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    params = get_updated_cli_invocation_params_for_context(
        context=context, manifest=validate_manifest(manifest), dagster_dbt_translator=translator
    )
    project = params.dbt_project
    # Past a number of selected nodes, dagster-dbt writes a selector into a copy of the
    # project; dbt must then read that copy.
    project_dir = Path(project.project_dir) if project else project_dir
    invocation = InProcessDbtInvocation(
        manifest=params.manifest,
        translator=params.dagster_dbt_translator,
        context=context,
        project=project,
        target_path=target_path,
    )
    full_args = [
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(profiles_dir),
        "--target-path",
        str(target_path),
        *params.selection_args,
    ]
    if params.indirect_selection:
        full_args += ["--indirect-selection", params.indirect_selection]

    def keep(message) -> None:
        # dbt calls back for every event (a debug line per SQL statement among them):
        # only the result events are converted.
        if message.info.name in RESULT_EVENTS:
            invocation.raw_events.append(msg_to_dict(message))

    try:
        result = dbtRunner(callbacks=[keep]).invoke(full_args)
    finally:
        release_duckdb()
    invocation.success = bool(result.success)
    if result.exception is not None:
        invocation.error = f"{type(result.exception).__name__}: {result.exception}"
    return invocation


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a build."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter: nothing of DuckDB's is held
        return
    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()
