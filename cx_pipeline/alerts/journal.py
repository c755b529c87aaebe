"""alerts/alerts.jsonl: the record of every alert, and the memory that stops repeats.

Several processes (Dagster run workers, the CLI) may alert at once. The read of
existing keys and the append happen under one exclusive flock, so two processes
alerting the same check of the same run cannot both decide it is new.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from cx_pipeline.alerts.model import Alert, key_of, to_json
from cx_pipeline.settings import current

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; appends are still O_APPEND
    fcntl = None

logger = logging.getLogger("cx_pipeline.alerts")


@contextmanager
def _locked(path: Path) -> Iterator[int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        # Closing the descriptor releases the lock too; unlocking first is just explicit.
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _existing_keys(fd: int) -> tuple[set[tuple[str, ...]], bool]:
    """Keys already journalled, and whether the file ends mid-line (a crashed writer)."""
    keys: set[tuple[str, ...]] = set()
    ends_clean = True
    with os.fdopen(os.dup(fd), "rb") as handle:
        handle.seek(0)
        for raw in handle:
            ends_clean = raw.endswith(b"\n")
            try:
                data = json.loads(raw)
            except ValueError:
                continue  # a torn line must not stop new alerts
            if isinstance(data, dict):
                keys.add(key_of(data))
    return keys, ends_clean


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def append_new(
    alerts: Sequence[Alert], path: Path | None = None
) -> tuple[list[Alert], list[Alert]]:
    """Append the alerts whose key is not yet journalled; return (written, duplicates).

    `alerts` must already be free of duplicates among themselves.
    """
    path = path or current().alerts_path
    written: list[Alert] = []
    duplicates: list[Alert] = []
    with _locked(path) as fd:
        keys, ends_clean = _existing_keys(fd)
        # Starting a fresh line keeps our record parseable after someone else's torn write.
        prefix = b"" if ends_clean else b"\n"
        for alert in alerts:
            if alert.key in keys:
                duplicates.append(alert)
                continue
            line = (to_json(alert.to_dict()) + "\n").encode("utf-8")
            _write_all(fd, prefix + line)  # one write per line: O_APPEND keeps it whole
            prefix = b""
            keys.add(alert.key)
            written.append(alert)
        if written:
            os.fsync(fd)
    return written, duplicates


def read_alerts(path: Path | None = None) -> list[Alert]:
    """Every parseable alert in the journal, oldest first (for the CLI and tests)."""
    path = path or current().alerts_path
    if not path.exists():
        return []
    alerts: list[Alert] = []
    with path.open("rb") as handle:
        for raw in handle:
            try:
                alerts.append(Alert.from_dict(json.loads(raw)))
            except (ValueError, TypeError, AttributeError) as error:
                logger.debug("skipping unreadable line in %s: %s", path, error)
    return alerts


def digests_path(alerts_path: Path | None = None) -> Path:
    """The digests' claims, beside the journal."""
    return (alerts_path or current().alerts_path).with_name("digests.jsonl")


def claim_digest(run_id: str, path: Path | None = None) -> bool:
    """True once per run: the CLI and a run-status sensor may both end the same run."""
    path = path or digests_path()
    with _locked(path) as fd:
        with os.fdopen(os.dup(fd), "rb") as handle:
            handle.seek(0)
            for raw in handle:
                try:
                    if json.loads(raw).get("run_id") == run_id:
                        return False
                except (ValueError, AttributeError):
                    continue
        _write_all(fd, (to_json({"run_id": run_id, "claimed_at": _now()}) + "\n").encode())
        os.fsync(fd)
    return True


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")
