"""The DuckDB warehouse as a Dagster resource: its data directory and one writer at a time."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from cx_pipeline.settings import Settings, current

WRITER_POOL = "cx_duckdb_writer"
# Lock depth per warehouse file held by this process (steps run in one thread).
_HELD: dict[str, int] = {}


class WarehouseResource(dg.ConfigurableResource):
    """The working DuckDB file under `data_dir` (unset: the current settings' CX_DATA_DIR).

    Every step and sensor given this resource takes its data directory from it: the loader's
    landing folders, dbt's profile, the published copy and the alert journal.

    DuckDB allows one writing process per file. Dagster's pool `cx_duckdb_writer` queues
    runs that write; this resource adds an OS file lock, held while a step writes, so
    that a CLI load and a daemon-launched run on the same machine also take turns.
    """

    data_dir: str | None = None
    lock_timeout_seconds: float = 3600.0
    memory_limit: str | None = None  # unset: CX_DUCKDB_MEMORY_LIMIT's

    def settings(self) -> Settings:
        """The current settings with this resource's data directory."""
        return current().with_data_dir(self.data_dir and Path(self.data_dir).expanduser().resolve())

    @property
    def path(self) -> Path:
        return self.settings().warehouse_path

    @property
    def published_path(self) -> Path:
        return self.settings().published_path

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        # Re-entrant within a process: a step holding the lock may open the file again.
        if _HELD.get(str(self.path), 0):
            _HELD[str(self.path)] += 1
            try:
                yield
            finally:
                _HELD[str(self.path)] -= 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.parent / ".writer.lock"
        with open(lock_path, "a+") as handle:
            deadline = time.monotonic() + self.lock_timeout_seconds
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"another process holds {lock_path}") from None
                    time.sleep(0.5)
            _HELD[str(self.path)] = 1
            try:
                handle.seek(0)
                handle.truncate()
                handle.write(str(os.getpid()))
                handle.flush()
                yield
            finally:
                _HELD[str(self.path)] = 0
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.writer_lock():
            con = duckdb.connect(str(self.path))
            try:
                con.execute("SET TimeZone = 'UTC'")
                # Bounded memory on a small machine: DuckDB spills to disk past this.
                limit = self.memory_limit or self.settings().duckdb_memory_limit
                con.execute(f"SET memory_limit = '{limit}'")
                # DuckDB checkpoints whenever 16 MB of WAL have piled up, which during a
                # backfill meant at nearly every day's commit and a third of the ingest time
                # (py-spy, a year at scale 10). Closing the connection checkpoints anyway, so
                # the file is complete when the step ends.
                con.execute("SET checkpoint_threshold = '1GB'")
                yield con
            finally:
                con.close()
