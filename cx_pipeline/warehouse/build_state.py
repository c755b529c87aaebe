"""What the published marts were built from, so that a run with nothing new can stop early.

The fingerprint covers everything the dbt build reads: the raw tables (row count and
newest load time: a load, a re-run of a day or a removed file all change one of them),
the dbt project's files (models, macros, seeds, tests, settings), the effective reference
data (the packaged seeds overlaid with the files of `CX_REFERENCE_DIR`) and the environment
variables the models read. It is stored when a build is published; a later run whose
fingerprint is the same would rebuild identical marts, so it skips the dbt build and the
publish (a day whose folders are empty, a sensor tick for a file that was a duplicate).
"""

from __future__ import annotations

import hashlib
import json

import duckdb

from cx_pipeline.ingest.canonical import SOURCES
from cx_pipeline.settings import Settings, current
from cx_pipeline.warehouse import reference

STATE_TABLE = "audit.build_state"
# The reference data the incremental models were last built from (see needs_full_refresh).
REFERENCE_TABLE = "audit.reference_state"
# Environment the dbt models read (dbt_project.yml, macros); CX_DATA_DIR only says where the
# warehouse is, and the fingerprint is stored in it.
_MODEL_ENV = ("CX_OWN_BRAND", "CX_PII_SALT")


def _project_digest(settings: Settings) -> str:
    project = settings.dbt_project_dir
    digest = hashlib.sha256()
    paths = [project / "dbt_project.yml", project / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        paths.extend(sorted((project / folder).rglob("*")))
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(project)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> str:
    settings = settings or current()
    raw = {}
    for source in SOURCES.values():
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw' AND table_name = ?",
            [source.table],
        ).fetchone()[0]
        if exists:
            count, newest = con.execute(
                f"SELECT count(*), max(_loaded_at)::VARCHAR FROM raw.{source.table}"
            ).fetchone()
            raw[source.table] = [count, newest]
    env = {
        name: hashlib.sha256(settings.given.get(name, "").encode()).hexdigest()
        for name in _MODEL_ENV
    }
    state = {
        "raw": raw,
        "project": _project_digest(settings),
        "reference": reference.digest(settings),
        "env": env,
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def _latest(con: duckdb.DuckDBPyConnection, table: str, columns: str, value: str, at: str):
    """The newest `value` of a state table (created on first use), or None."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    row = con.execute(f"SELECT {value} FROM {table} ORDER BY {at} DESC LIMIT 1").fetchone()
    return row[0] if row else None


def last_published(con: duckdb.DuckDBPyConnection) -> str | None:
    return _latest(
        con,
        STATE_TABLE,
        "fingerprint VARCHAR, run_id VARCHAR, published_at TIMESTAMPTZ",
        "fingerprint",
        "published_at",
    )


def record_published(con: duckdb.DuckDBPyConnection, value: str, run_id: str) -> None:
    last_published(con)  # creates the table
    con.execute(f"INSERT INTO {STATE_TABLE} VALUES (?, ?, now())", [value, run_id])


def needs_full_refresh(con: duckdb.DuckDBPyConnection, reference_digest: str) -> bool:
    """Whether the incremental models must be rebuilt from all raw rows.

    They recompute only the days a run delivers: rows of other days keep the business
    minutes, SLA targets or brands of the reference data they were built with. So when the
    reference data differ from those of the last successful build, or no build recorded
    them (a warehouse from before this record existed), everything is rebuilt once.
    """
    return last_reference(con) != reference_digest


def last_reference(con: duckdb.DuckDBPyConnection) -> str | None:
    return _latest(
        con,
        REFERENCE_TABLE,
        "reference_digest VARCHAR, full_refresh BOOLEAN, run_id VARCHAR, built_at TIMESTAMPTZ",
        "reference_digest",
        "built_at",
    )


def record_reference(
    con: duckdb.DuckDBPyConnection, reference_digest: str, full_refresh: bool, run_id: str
) -> None:
    last_reference(con)  # creates the table
    con.execute(
        f"INSERT INTO {REFERENCE_TABLE} VALUES (?, ?, ?, now())",
        [reference_digest, full_refresh, run_id],
    )
