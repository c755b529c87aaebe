"""`cx-pipeline sql`: read-only queries of the published marts.

The published file is replaced atomically by each successful build, never written in
place, so a read-only connection sees one consistent build and takes no lock that could
stall the pipeline.

What is printed cannot be turned against its reader: published text comes from customers
(review texts, free-text answers, segment names in an export), and a spreadsheet that opens
CSV output executes a cell beginning with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula. Such text cells are written with a leading `'` unless
`raw_csv` is asked for; numbers are never altered, and neither is text that is exactly a
plain number such as `-3.5`, which a spreadsheet reads as that number and cannot execute.
HTML output escapes every header and cell, and the table output shows control characters
(a terminal would obey an escape sequence) as `\\xNN` escapes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from cx_pipeline.settings import current


class NotPublished(RuntimeError):
    pass


def run_query(sql: str, database: Path | None = None) -> tuple[list[str], list[tuple]]:
    path = database or current().published_path
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


# What a spreadsheet reads as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Text a spreadsheet reads as a number: nothing in it can execute.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def csv_cell(value):
    """A cell as a spreadsheet may safely open it: formula-like text gets a leading `'`."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _terminal_text(value) -> str:
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _html_table(columns: list[str], rows: list[tuple]) -> str:
    def cell(tag: str, value) -> str:
        return f"<{tag}>{html.escape('' if value is None else str(value), quote=True)}</{tag}>"

    head = "<tr>" + "".join(cell("th", c) for c in columns) + "</tr>"
    body = ["<tr>" + "".join(cell("td", v) for v in row) + "</tr>" for row in rows]
    return "\n".join(
        ["<table>", f"<thead>{head}</thead>", "<tbody>", *body, "</tbody>", "</table>"]
    )


def render(columns: list[str], rows: list[tuple], fmt: str, raw_csv: bool = False) -> str:
    if fmt == "json":
        return json.dumps(
            [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows],
            ensure_ascii=False,
            default=str,
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if raw_csv:
            writer.writerow(columns)
            writer.writerows(rows)
        else:
            writer.writerow([csv_cell(c) for c in columns])
            writer.writerows([csv_cell(v) for v in row] for row in rows)
        return buffer.getvalue().rstrip("\n")
    if fmt == "html":
        return _html_table(columns, rows)
    columns = [_terminal_text(c) for c in columns]
    texts = [[_terminal_text(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in texts)]) for i, c in enumerate(columns)]
    line = " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    rule = "-+-".join("-" * w for w in widths)
    body = [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in texts]
    return "\n".join([line, rule, *body, f"({len(rows)} rows)"])
