"""Record identifiers that embed their day, so ids stay unique across separately generated days."""

from __future__ import annotations

import datetime as dt

import numpy as np

FIRST_NUMBER = 100_000


def daily_ids(
    rng: np.random.Generator,
    prefix: str,
    day: np.ndarray,
    dates: list[dt.date],
    after: dict[dt.date, int] | None = None,
) -> np.ndarray:
    """`<prefix>-<YYYYMMDD>-<6 digits>`, increasing within a day; `day` must be sorted.

    Numbers advance by small random gaps, as ids of a source system whose other records
    (drafts, other questionnaires) are not exported. A day's numbers start after
    `after[date]` when given: the numbers an earlier chunk of a long range already gave
    records of that day.
    """
    n = len(day)
    if n == 0:
        return np.empty(0, dtype=object)
    gaps = rng.integers(1, 4, n)
    cs = np.cumsum(gaps)
    first = np.searchsorted(day, day, side="left")
    base = np.array([(after or {}).get(d, FIRST_NUMBER) for d in dates], dtype=np.int64)
    number = base[day] + cs - (cs[first] - gaps[first])
    ymd = np.array([d.strftime("%Y%m%d") for d in dates], dtype=object)[day]
    return np.array(
        [f"{prefix}-{y}-{k:06d}" for y, k in zip(ymd, number, strict=True)], dtype=object
    )
