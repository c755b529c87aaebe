"""Materialize partitions of the daily job through Dagster and report what happened."""

from __future__ import annotations

import uuid
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field

from cx_pipeline.alerts import deliver_run_digest, dispatch
from cx_pipeline.alerts.run_failure import run_failed_alert
from cx_pipeline.instance import recovery
from cx_pipeline.instance.home import get_instance
from cx_pipeline.instance.progress import Progress, reporting
from cx_pipeline.instance.run_window import RANGE_END_TAG, RANGE_START_TAG
from cx_pipeline.settings import Settings, current


@dataclass
class LoadOutcome:
    run_id: str
    success: bool
    start: str
    end: str
    loaded: dict[str, dict] = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)
    published: bool = False
    published_tables: dict = field(default_factory=dict)
    step_seconds: dict[str, float] = field(default_factory=dict)
    log_path: str = ""
    unchanged: bool = False  # nothing new since the last published build: dbt skipped
    # (step, cause) of every failed step, so the summary and the alert say why
    step_failures: list[tuple[str, str]] = field(default_factory=list)
    recovered: recovery.Recovered = field(default_factory=recovery.Recovered)

    @property
    def failed_blocking(self) -> list[dict]:
        return [c for c in self.checks if not c["passed"] and c["severity"] == "ERROR"]

    @property
    def ok(self) -> bool:
        return self.success and not self.failed_blocking and (self.published or self.unchanged)


def load_range(
    start: str,
    end: str,
    log_level: str = "WARNING",
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> LoadOutcome:
    """One run over the whole range: every asset is a single-run backfill. The definitions
    are those of `settings` (the CLI's, started before they are imported)."""
    settings = settings or current()
    if progress is None:
        progress = Progress(quiet=True)
    progress.line("loading the Dagster definitions and the dbt manifest")
    instance = get_instance(settings)
    # Before this run starts, so that a run killed earlier is failed and alerted even when
    # this one fails too.
    recovered = recovery.recover(instance, settings.published_path.parent, settings)
    from cx_pipeline.definitions import defs
    from cx_pipeline.defs.dbt import cx_dbt_models

    job = defs.resolve_job_def("cx_daily")
    progress.dbt_step = cx_dbt_models.op.name
    progress.dbt_total = len(cx_dbt_models.keys) + len(cx_dbt_models.check_keys)
    # The run id is chosen here so that the listener is in place before the run's first event.
    run_id = str(uuid.uuid4())  # the form of Dagster's own run ids
    instance.add_event_listener(run_id, progress.on_event)
    tags = recovery.run_tags()
    if start != end:
        tags |= {RANGE_START_TAG: start, RANGE_END_TAG: end}
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    kwargs = {"partition_key": start} if start == end else {}
    log_path = settings.logs_dir / f"load-{start}-{end}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dbt's and Dagster's own output goes to a log file; the caller prints the summary.
    progress.line(f"run {run_id}: partitions {start}..{end}; log {log_path}")
    with (
        open(log_path, "w", encoding="utf-8") as log,
        reporting(progress),
        redirect_stdout(log),
        redirect_stderr(log),
    ):
        result = job.execute_in_process(
            run_config=run_config,
            instance=instance,
            raise_on_error=False,
            tags=tags,
            run_id=run_id,
            **kwargs,
        )
    outcome = LoadOutcome(run_id=result.run_id, success=result.success, start=start, end=end)
    outcome.recovered = recovered
    outcome.log_path = str(log_path)
    outcome.step_seconds = _step_seconds(result)
    outcome.step_failures = _step_failures(result)
    if not result.success:
        partition = start if start == end else f"{start}..{end}"
        causes = "; ".join(f"{step}: {cause}" for step, cause in outcome.step_failures)
        alert = run_failed_alert(
            result.run_id,
            partition,
            f"failed steps: {causes}",
            outcome.step_failures,
            str(log_path),
        )
        dispatch([alert], digest="run", settings=settings)
    # The run is over: chat and e-mail get its one message now. A daemon watching the same
    # instance may see the run end too; the digest's claim keeps it to one message.
    deliver_run_digest(result.run_id, settings)
    built_models = False
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        key = mat.asset_key.to_user_string()
        meta = {k: v.value for k, v in mat.metadata.items()}
        if key.startswith("raw/"):
            _add_day(outcome.loaded.setdefault(key, {}), meta)
        elif key != "published/cx_marts":
            built_models = True
        if key == "published/cx_marts":
            outcome.published = True
            outcome.published_tables = meta.get("tables", {})
    dbt_ran = "cx_dbt_models" in outcome.step_seconds
    outcome.unchanged = result.success and dbt_ran and not built_models
    for evaluation in result.get_asset_check_evaluations():
        observed = evaluation.metadata.get("observed_value")
        outcome.checks.append(
            {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "passed": evaluation.passed,
                "severity": evaluation.severity.value,
                "observed_value": observed.value if observed is not None else None,
            }
        )
    return outcome


def _step_failures(result) -> list[tuple[str, str]]:
    failures = []
    for event in result.all_events:
        if event.is_step_failure and event.step_key:
            error = getattr(event.event_specific_data, "error", None)
            cause = _innermost(error) if error is not None else "failed"
            failures.append((event.step_key, cause))
    return failures


def _innermost(error) -> str:
    """The root cause of a Dagster error chain, on one line (e.g. a PermissionError behind
    'Error occurred while executing op')."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    message = (error.message or "").strip().splitlines()
    return message[0] if message else error.cls_name or "failed"


RAW_COUNTS = ("files", "rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")
MAX_FILES_LISTED = 100


def _add_day(totals: dict, day: dict) -> None:
    """Adds one day's materialization of a raw asset to the figures of the run's range."""
    for name in RAW_COUNTS:
        totals[name] = totals.get(name, 0) + (day.get(name) or 0)
    reasons = totals.setdefault("quarantine_reasons", {})
    for reason, count in (day.get("quarantine_reasons") or {}).items():
        reasons[reason] = reasons.get(reason, 0) + count
    columns = set(totals.get("new_columns") or []) | set(day.get("new_columns") or [])
    totals["new_columns"] = sorted(columns)
    detail = totals.setdefault("files_detail", [])
    room = MAX_FILES_LISTED - len(detail)
    detail.extend((day.get("files_detail") or [])[: max(room, 0)])


def _step_seconds(result) -> dict[str, float]:
    seconds = {}
    for event in result.all_events:
        if event.is_step_success or event.is_step_failure:
            data = event.event_specific_data
            duration = getattr(data, "duration_ms", None)
            if duration is not None:
                seconds[event.step_key] = round(duration / 1000, 2)
    return seconds


def format_outcome(outcome: LoadOutcome, settings: Settings | None = None) -> str:
    settings = settings or current()
    lines = []
    for run_id in outcome.recovered.failed_runs:
        lines.append(f"run {run_id} was left unfinished by a process that died: marked failed")
    for path in outcome.recovered.removed_files:
        lines.append(f"removed {path}, left by a publish whose process died")
    lines.append(f"run {outcome.run_id}: partitions {outcome.start}..{outcome.end}")
    for key, meta in sorted(outcome.loaded.items()):
        lines.append(
            f"  {key}: read {meta.get('rows_read', 0)}, loaded {meta.get('rows_loaded', 0)}, "
            f"quarantined {meta.get('rows_quarantined', 0)}, duplicates "
            f"{meta.get('rows_duplicate', 0)}"
        )
        reasons = meta.get("quarantine_reasons") or {}
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            lines.append(f"      quarantined {count}: {reason}")
        detail = meta.get("files_detail") or []
        for f in detail:
            if f.get("skipped"):
                lines.append(f"    {f['file']}: skipped: {f['skipped']}")
                continue
            lines.append(
                f"    {f['file']}: profile {f['profile']}, read {f['read']}, loaded "
                f"{f['loaded']}, quarantined {f['quarantined']}, duplicates {f['duplicates']}"
                + (f" ({f['note']})" if f.get("note") else "")
            )
        if meta.get("files", 0) > len(detail):
            lines.append(
                f"    ... {meta['files'] - len(detail)} more files: see audit.load_reconciliation"
            )
    for step, cause in outcome.step_failures:
        lines.append(f"FAILED step {step}: {cause}")
    passed = sum(c["passed"] for c in outcome.checks)
    lines.append(f"checks: {passed} passed, {len(outcome.checks) - passed} failed")
    for c in outcome.checks:
        if not c["passed"]:
            lines.append(
                f"  FAILED [{c['severity']}] {c['asset']} {c['check']}: "
                f"observed {c['observed_value']}"
            )
    if outcome.log_path:
        lines.append(f"log (dbt and Dagster output): {outcome.log_path}")
    if outcome.step_seconds:
        lines.append(
            "step seconds: "
            + ", ".join(f"{k} {v}" for k, v in sorted(outcome.step_seconds.items()))
        )
    if outcome.checks and any(not c["passed"] for c in outcome.checks) or not outcome.success:
        lines.append(f"alerts: {settings.alerts_path}")
    if outcome.unchanged:
        lines.append(
            "nothing changed since the last published build (no new or changed row, none "
            "removed, same dbt project): dbt build and publish skipped; "
            f"{settings.published_path} is current"
        )
    elif outcome.published:
        lines.append(f"published: {settings.published_path}")
        for table, rows in sorted(outcome.published_tables.items()):
            lines.append(f"  {table}: {rows} rows")
    else:
        lines.append(
            "NOT published: a blocking check or a step failed; the previous "
            "published copy is unchanged"
        )
    return "\n".join(lines)
