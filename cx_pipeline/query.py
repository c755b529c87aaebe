"""`cx-pipeline sql`: read-only queries of the published marts.

The published file is replaced atomically by each successful build, never written in
place, so a read-only connection sees one consistent build and takes no lock that could
stall the pipeline."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from cx_pipeline import settings


class NotPublished(RuntimeError):
    pass


def run_query(sql: str, database: Path | None = None) -> tuple[list[str], list[tuple]]:
    path = database or settings.published_path()
    if not path.exists():
        raise NotPublished(
            f"{path} does not exist yet: run `cx-pipeline load` (or `make demo`) first"
        )
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
    finally:
        con.close()


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def render(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows],
            ensure_ascii=False,
            default=str,
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    texts = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in texts)]) for i, c in enumerate(columns)]
    line = " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    rule = "-+-".join("-" * w for w in widths)
    body = [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in texts]
    return "\n".join([line, rule, *body, f"({len(rows)} rows)"])
