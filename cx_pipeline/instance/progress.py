"""What a load prints while it runs, fed by the Dagster events of its run.

The load runs in this process (`execute_in_process`) with Dagster's and dbt's own output
sent to a log file; this reporter listens to the events the instance stores for the run
and writes short lines to the terminal: steps as they start and end, rows per source,
dbt nodes as they complete. On a terminal a single progress line is rewritten in place;
otherwise (cron, CI, a pipe) only plain lines are written, a few per long step.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections import Counter
from contextlib import contextmanager
from typing import TextIO

BAR_WIDTH = 24
# The metadata key of a dbt model's output when the model was current and not rebuilt.
REBUILT_KEY = "cx/rebuilt"
# Without a terminal, a long step reports its progress at every tenth of it.
PLAIN_STEPS = 10

_current: Progress | None = None


def day_done(label: str, done: int, total: int) -> None:
    """Called by an asset after each day it loaded; nothing happens outside a CLI load
    (a run launched from the UI or by the daemon has no reporter)."""
    if _current is not None:
        _current.advance(label, done, total, "days")


@contextmanager
def reporting(progress: Progress):
    global _current
    _current = progress
    try:
        yield progress
    finally:
        _current = None
        progress.close()


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Progress:
    def __init__(
        self,
        stream: TextIO | None = None,
        quiet: bool = False,
        dbt_step: str = "",
        dbt_total: int = 0,
        tty: bool | None = None,
    ):
        # The stream is taken now, before the load redirects sys.stderr to its log file.
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty() if tty is None else tty
        self.started = time.monotonic()
        self.dbt_step = dbt_step
        self.dbt_total = dbt_total
        self._bar = ""  # the progress line currently shown (terminal only)
        self._rows: dict[str, dict] = {}
        self._checks: dict[str, Counter] = {}
        self._dbt_done = 0
        self._dbt_models = 0
        self._dbt_current = 0  # models whose inputs did not change: not rebuilt
        self._plain_marks: dict[str, int] = {}

    # --- output
    def elapsed(self) -> str:
        return clock(time.monotonic() - self.started)

    def line(self, text: str, error: bool = False) -> None:
        if self.quiet and not error:
            return
        if self._bar:
            self.stream.write("\r\x1b[K")
        self.stream.write(f"[{self.elapsed()}] {text}\n")
        if self._bar:
            self.stream.write(self._bar)
        self.stream.flush()

    def advance(self, label: str, done: int, total: int, unit: str) -> None:
        if self.quiet or total <= 1:
            return
        if self.tty:
            filled = BAR_WIDTH * done // total
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            # wider than the terminal, the line would wrap and \r would no longer rewrite it
            width = shutil.get_terminal_size().columns - 1
            self._bar = f"[{self.elapsed()}] {label} [{bar}] {done}/{total} {unit}"[:width]
            self.stream.write("\r\x1b[K" + self._bar)
            self.stream.flush()
            return
        if total < 2 * PLAIN_STEPS:
            return  # a short step: its start and end lines are enough
        mark = PLAIN_STEPS * done // total
        if mark > self._plain_marks.get(label, 0) and done < total:
            self._plain_marks[label] = mark
            self.line(f"{label}: {done}/{total} {unit}")

    def clear_bar(self) -> None:
        if self._bar:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._bar = ""

    def close(self) -> None:
        self.clear_bar()

    # --- Dagster events
    def on_event(self, entry) -> None:
        """An instance event listener: called with each EventLogEntry the run stores."""
        event = entry.dagster_event
        if event is None:
            return
        try:
            self._handle(event)
        except Exception as exc:  # a display problem must never fail the load
            self.line(f"(progress display error: {exc!r})")

    def _handle(self, event) -> None:
        kind = event.event_type_value
        step = event.step_key
        data = event.event_specific_data
        if kind == "STEP_START":
            self.line(f"step {step} started")
        elif kind == "ASSET_MATERIALIZATION":
            mat = data.materialization
            key = mat.asset_key.to_user_string()
            if key.startswith("raw/"):
                self._rows[step] = {k: v.value for k, v in mat.metadata.items()}
            elif step == self.dbt_step and REBUILT_KEY in mat.metadata:
                self._dbt_current += 1
            elif step == self.dbt_step:
                self._dbt_models += 1
                self._dbt_node(key)
        elif kind == "ASSET_CHECK_EVALUATION":
            self._checks.setdefault(step, Counter())["passed" if data.passed else "failed"] += 1
            if step == self.dbt_step:
                self._dbt_node(f"{data.asset_key.to_user_string()} {data.check_name}")
        elif kind == "STEP_SUCCESS":
            self.clear_bar()
            self.line(
                f"step {step} finished in {data.duration_ms / 1000:.1f} s{self._detail(step)}"
            )
        elif kind == "STEP_FAILURE":
            self.clear_bar()
            message = (data.error.message if data.error else "").strip().splitlines()
            self.line(
                f"step {step} FAILED{self._detail(step)}: {message[0] if message else ''}",
                error=True,
            )
        elif kind == "STEP_SKIPPED":
            self.line(f"step {step} skipped (an upstream step produced nothing to build on)")

    def _dbt_node(self, name: str) -> None:
        self._dbt_done += 1
        total = max(self.dbt_total, self._dbt_done)
        unit = f"nodes ({name[:48]})" if self.tty else "nodes"
        self.advance("dbt", self._dbt_done, total, unit)

    def _detail(self, step: str) -> str:
        parts = []
        rows = self._rows.get(step)
        if rows is not None:
            parts.append(
                f"read {rows.get('rows_read', 0)}, loaded {rows.get('rows_loaded', 0)}, "
                f"quarantined {rows.get('rows_quarantined', 0)}"
                + (f", duplicates {rows['rows_duplicate']}" if rows.get("rows_duplicate") else "")
            )
        if step == self.dbt_step and self._dbt_models:
            parts.append(f"{self._dbt_models} models built")
        if step == self.dbt_step and self._dbt_current:
            parts.append(f"{self._dbt_current} current, not rebuilt")
        checks = self._checks.get(step)
        if checks:
            parts.append(f"checks {checks['passed']} passed, {checks['failed']} failed")
        return f" ({'; '.join(parts)})" if parts else ""
