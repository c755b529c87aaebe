"""Write-audit-publish: copy the audited marts to the analysts' file, atomically.

Only the `marts` and `audit` schemas are published (raw and staging hold clear-text
personal data). The copy is built beside the published file and moved over it with
os.replace, so a reader sees the old file or the new one, never a half-written one;
a reader that has the old file open keeps reading it. A copy left by a process that was
killed mid-copy is removed by the next publish (and the next load), never a live one's.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from cx_pipeline.instance.recovery import remove_stale_temporaries
from cx_pipeline.settings import current
from cx_pipeline.warehouse.sql_quote import ident, literal

PUBLISHED_SCHEMAS = ("marts", "audit")
# Quarantined rows are published without the original row, which holds clear-text
# personal data; engineers find it in the working warehouse.
WITHHELD_COLUMNS = {("audit", "quarantine"): "original_row"}


def publish(warehouse: Path, published: Path, storage_version: str | None = None) -> dict[str, int]:
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    wal = staging.with_name(staging.name + ".wal")
    remove_stale_temporaries(published.parent)
    staging.unlink(missing_ok=True)
    wal.unlink(missing_ok=True)
    rows: dict[str, int] = {}
    # Written in a storage format that DuckDB 1.x clients (the CLI, DBeaver, R, most BI
    # drivers) read too, not only the library version that builds it.
    con = duckdb.connect(
        str(staging),
        config={"storage_compatibility_version": storage_version or current().published_storage},
    )
    try:
        con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name, comment FROM duckdb_tables() "
            "WHERE database_name = 'wh' AND schema_name IN "
            f"({', '.join(literal(s) for s in PUBLISHED_SCHEMAS)}) ORDER BY 1, 2"
        ).fetchall()
        for schema in sorted({t[0] for t in tables}):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}")
        for schema, table, comment in tables:
            target = f"{ident(schema)}.{ident(table)}"
            withheld = WITHHELD_COLUMNS.get((schema, table))
            columns = f"* EXCLUDE ({ident(withheld)})" if withheld else "*"
            con.execute(f"CREATE TABLE {target} AS SELECT {columns} FROM wh.{target}")
            if comment:
                con.execute(f"COMMENT ON TABLE {target} IS {literal(comment)}")
            for column, col_comment in con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'wh' "
                "AND schema_name = ? AND table_name = ? AND comment IS NOT NULL "
                "AND column_name <> ?",
                [schema, table, withheld or ""],
            ).fetchall():
                con.execute(f"COMMENT ON COLUMN {target}.{ident(column)} IS {literal(col_comment)}")
            rows[f"{schema}.{table}"] = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
        con.execute("DETACH wh")
        con.execute("CHECKPOINT")
    except Exception:
        staging.unlink(missing_ok=True)
        wal.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(staging, published)
    return rows
