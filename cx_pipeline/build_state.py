"""What the published marts were built from, so that a run with nothing new can stop early.

The fingerprint covers everything the dbt build reads: the raw tables (row count and
newest load time: a load, a re-run of a day or a removed file all change one of them),
the dbt project's files (models, macros, seeds, tests, settings) and the environment
variables the models read. It is stored when a build is published; a later run whose
fingerprint is the same would rebuild identical marts, so it skips the dbt build and the
publish (a day whose folders are empty, a sensor tick for a file that was a duplicate).
"""

from __future__ import annotations

import hashlib
import json
import os

import duckdb

from cx_pipeline import settings
from cx_pipeline.ingest.canonical import SOURCES

STATE_TABLE = "audit.build_state"
# Environment the dbt models read (dbt_project.yml, macros); CX_DATA_DIR only says where the
# warehouse is, and the fingerprint is stored in it.
_MODEL_ENV = ("CX_OWN_BRAND", "CX_PII_SALT")


def _project_digest() -> str:
    project = settings.dbt_project_dir()
    digest = hashlib.sha256()
    paths = [project / "dbt_project.yml", project / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        paths.extend(sorted((project / folder).rglob("*")))
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(project)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
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
        name: hashlib.sha256(os.environ.get(name, "").encode()).hexdigest() for name in _MODEL_ENV
    }
    state = {"raw": raw, "project": _project_digest(), "env": env}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def last_published(con: duckdb.DuckDBPyConnection) -> str | None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} "
        "(fingerprint VARCHAR, run_id VARCHAR, published_at TIMESTAMPTZ)"
    )
    row = con.execute(
        f"SELECT fingerprint FROM {STATE_TABLE} ORDER BY published_at DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def record_published(con: duckdb.DuckDBPyConnection, value: str, run_id: str) -> None:
    last_published(con)  # creates the table
    con.execute(f"INSERT INTO {STATE_TABLE} VALUES (?, ?, now())", [value, run_id])
