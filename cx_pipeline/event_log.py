"""Dagster's SQLite event log, without a disk flush per event.

A load stores a few hundred events (a materialization per asset and raw partition, a check
evaluation per dbt test). The stock SQLite storage opens a new engine for each of them and
closes it again: the close checkpoints the WAL and the commit flushes to disk, a few
fsyncs per event, which made the event log the largest fixed cost of a run. This storage
keeps one engine and an open connection per database file, in WAL mode with
`synchronous=NORMAL`: a crash of the process loses nothing, a power cut can lose the last
events, never the file.
`instance.py` writes it into dagster.yaml; an instance configured otherwise keeps working.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)


def _pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class FastSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data=None):
        self._engines: dict[str, db.engine.Engine] = {}
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> FastSqliteEventLogStorage:
        # Where the stock storage keeps it; not written into dagster.yaml, so that a copied
        # or moved Dagster home keeps working.
        default = os.path.join(os.environ.get("DAGSTER_HOME", "."), "history", "runs")
        return cls(base_dir=config_value.get("base_dir") or default, inst_data=inst_data)

    def _engine(self, shard: str) -> db.engine.Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                # Connections stay open: closing the last one checkpoints the WAL (an fsync).
                pool_size=1,
                max_overflow=8,
                connect_args={
                    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                    "check_same_thread": False,
                },
            )
            db.event.listen(engine, "connect", _pragmas)
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.engine.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        super().dispose()
