"""After a kill: what a dead load leaves behind is cleared by the next one.

A process killed with SIGKILL (the OOM killer, a container stop, a lost machine) runs no
clean-up code. Two things outlive it:

- the half-written copy of the publish step, `published/.cx.duckdb.<pid>.tmp` (and the
  DuckDB write-ahead log beside it). The published file itself is never half-written (it is
  replaced with os.replace), but nothing else would ever remove these copies.
- its Dagster run, left STARTED for ever: the process that would have recorded the end is
  gone. Dagster's run monitoring cannot see it: the CLI executes runs in process, and the
  default run launcher has no worker health check for the daemon to ask
  (`supports_check_run_worker_health` is False), so the monitor only ever times out runs
  that never started.

Every CLI load records its process in the run's tags (host, pid and the process's start
time, which tells a reused pid from the original), and at start-up marks the runs whose
process is gone as failed, alerting each once. A file or run is only ever touched when
its process is provably dead on this host: a live writer's copy is never removed.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from cx_pipeline.settings import Settings

PID_TAG = "cx/pid"
HOST_TAG = "cx/host"
# The process's start time in clock ticks since boot (Linux /proc): a pid reused by an
# unrelated process has another start time, so its run is still recognised as dead.
PROCESS_START_TAG = "cx/process_start"

# `.<published name>.<pid>.tmp`, and DuckDB's `<file>.wal` of such a copy.
_TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)\.tmp(?:\.wal)?$")

_UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def process_start(pid: int) -> str | None:
    """Start time of `pid` in clock ticks since boot, or None where /proc cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses; fields after the
    # last ")" are plain. starttime is field 22, the 20th after the name.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def process_alive(pid: int, started: str | None = None) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    if started:
        current = process_start(pid)
        if current is not None and current != started:
            return False
    return True


def run_tags() -> dict[str, str]:
    """Tags naming the process that executes a run in process (the CLI's loads)."""
    tags = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
    started = process_start(os.getpid())
    if started:
        tags[PROCESS_START_TAG] = started
    return tags


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the publish step's copies in `folder` whose writing process is dead."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.iterdir()):
        match = _TEMPORARY.match(path.name)
        if not match:
            continue
        pid = int(match["pid"])
        # Our own copy is the publish step's business (it starts by clearing it).
        if pid == os.getpid() or process_alive(pid):
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue  # another load cleared it first
        removed.append(path)
    return removed


@dataclass
class Recovered:
    failed_runs: list[str] = field(default_factory=list)
    removed_files: list[Path] = field(default_factory=list)


def dead_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    """Unfinished runs whose recorded process on this host no longer exists."""
    host = socket.gethostname()
    dead = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_UNFINISHED)):
        tags = run.tags or {}
        pid_text = tags.get(PID_TAG, "")
        # Runs of other hosts and daemon-launched runs (no pid tag) are not ours to judge.
        if tags.get(HOST_TAG) != host or not pid_text.isdigit():
            continue
        if not process_alive(int(pid_text), tags.get(PROCESS_START_TAG)):
            dead.append(run)
    return dead


def fail_dead_runs(instance: dg.DagsterInstance, settings: Settings | None = None) -> list[str]:
    """Mark every dead run failed and alert it; returns their run ids."""
    from cx_pipeline.alerts import dispatch
    from cx_pipeline.alerts.run_failure import partition_of, run_failed_alert

    failed = []
    for run in dead_runs(instance):
        tags = run.tags or {}
        message = (
            f"the process running it (pid {tags.get(PID_TAG)} on {tags.get(HOST_TAG)}) died "
            f"while the run was {run.status.value}; marked failed by the next load"
        )
        # Alert before changing the status: should this process die in between, the next
        # start-up finds the run again and the journal's key drops the repeated alert.
        # The other way round a crash in between would lose the alert.
        dispatch([run_failed_alert(run.run_id, partition_of(run), message)], settings=settings)
        instance.report_run_failed(run, message)
        failed.append(run.run_id)
    return failed


def recover(
    instance: dg.DagsterInstance, published_dir: Path, settings: Settings | None = None
) -> Recovered:
    return Recovered(
        failed_runs=fail_dead_runs(instance, settings),
        removed_files=remove_stale_temporaries(published_dir),
    )
