"""What the published marts were built from, so that a run with nothing new can stop early.

The fingerprint covers everything the dbt build reads: the raw tables (row count and
newest load time: a load, a re-run of a day or a removed file all change one of them),
the dbt project's files (models, macros, seeds, tests, settings), the effective reference
data (the packaged seeds overlaid with the files of `CX_REFERENCE_DIR`) and the environment
variables the models read. It is stored when a build is published; a later run whose
fingerprint is the same would rebuild identical marts, so it skips the dbt build and the
publish (a day whose folders are empty, a sensor tick for a file that was a duplicate).
The inputs themselves are stored with it, so that a run that changed some raw tables only
rebuilds the models that read them (changed_sources).
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
_STATE_COLUMNS = "fingerprint VARCHAR, run_id VARCHAR, published_at TIMESTAMPTZ, inputs VARCHAR"
# Every dbt build that started, published or not (see changed_sources).
BUILDS_TABLE = "audit.dbt_builds"
_BUILDS_COLUMNS = "run_id VARCHAR, started_at TIMESTAMPTZ"
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


def inputs(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> dict:
    """What the dbt build reads, in a form two builds can be compared by (see fingerprint)."""
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
    return {
        "raw": raw,
        "project": _project_digest(settings),
        "reference": reference.digest(settings),
        "env": env,
    }


def fingerprint(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> str:
    return digest_of(inputs(con, settings))


def digest_of(state: dict) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def changed_sources(con: duckdb.DuckDBPyConnection, settings: Settings | None = None):
    """The raw tables whose rows differ from those of the published build, when only raw
    rows differ and the warehouse's models are still that build's; else None (build all).

    A model that reads none of these tables would be rebuilt to the rows it holds, which
    passed every check when they were published. That holds only while no other build has
    run since the publish (a failed or blocked one may have left other rows) and while the
    project, reference data and model environment are those of the publish.
    """
    published = _latest(con, STATE_TABLE, _STATE_COLUMNS, "run_id, inputs", "published_at")
    last_build = _latest(con, BUILDS_TABLE, _BUILDS_COLUMNS, "run_id", "started_at")
    if published is None or published[1] is None or last_build != published[0]:
        return None
    then, now = json.loads(published[1]), inputs(con, settings)
    if any(then.get(part) != now[part] for part in ("project", "reference", "env")):
        return None
    tables = then.get("raw", {}).keys() | now["raw"].keys()
    return {t for t in tables if then.get("raw", {}).get(t) != now["raw"].get(t)}


def record_build_started(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Every dbt build, before it writes a model: see changed_sources."""
    _latest(con, BUILDS_TABLE, _BUILDS_COLUMNS, "run_id", "started_at")  # creates the table
    con.execute(f"INSERT INTO {BUILDS_TABLE} VALUES (?, now())", [run_id])


def _latest(con: duckdb.DuckDBPyConnection, table: str, columns: str, value: str, at: str):
    """The newest row's `value` columns of a state table (created on first use), or None."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    if table == STATE_TABLE:  # a warehouse from before the inputs were kept
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS inputs VARCHAR")
    row = con.execute(f"SELECT {value} FROM {table} ORDER BY {at} DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return row if len(row) > 1 else row[0]


def last_published(con: duckdb.DuckDBPyConnection) -> str | None:
    return _latest(con, STATE_TABLE, _STATE_COLUMNS, "fingerprint", "published_at")


def record_published(con: duckdb.DuckDBPyConnection, state: dict, run_id: str) -> None:
    last_published(con)  # creates the table
    con.execute(
        f"INSERT INTO {STATE_TABLE} (fingerprint, run_id, published_at, inputs) "
        "VALUES (?, ?, now(), ?)",
        [digest_of(state), run_id, json.dumps(state, sort_keys=True)],
    )


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
