"""Write delivered records into `landing/<source>/<YYYY-MM-DD>/<table>_<day>.<ext>` files in
the canonical format (the source's export columns, in order), one file per day.

Every day gets a file even when empty, so a loader can tell "no records" from "not delivered".
Rows of days after `dates` are not written: a chunk of a long range leaves them to the chunk
that holds their day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from cx_pipeline.ingest.canonical import Source


def _day_slices(df: pd.DataFrame, n_days: int):
    df = df.sort_values(["_day", "_ord"], kind="stable")
    bounds = np.searchsorted(df["_day"].to_numpy(), np.arange(n_days + 1), side="left")
    for i in range(n_days):
        yield i, df.iloc[bounds[i] : bounds[i + 1]]


def _path(landing: Path, source: Source, day: dt.date, ext: str) -> Path:
    folder = landing / source.name / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{source.table}_{day.isoformat()}.{ext}"


def write_csv(df: pd.DataFrame, source: Source, dates: list[dt.date], landing: Path) -> int:
    for i, part in _day_slices(df, len(dates)):
        path = _path(landing, source, dates[i], "csv")
        part[source.export_columns].to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return len(dates)


def write_jsonl(df: pd.DataFrame, source: Source, dates: list[dt.date], landing: Path) -> int:
    for i, part in _day_slices(df, len(dates)):
        path = _path(landing, source, dates[i], "jsonl")
        body = part[source.export_columns].to_json(orient="records", lines=True, force_ascii=False)
        # pandas renders an empty frame as a lone newline; an empty file is clearer.
        path.write_text(body if len(part) else "", encoding="utf-8")
    return len(dates)
