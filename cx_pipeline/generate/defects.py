"""Seeded data-quality defects that the warehouse's staging and tests must catch.

Frames carry `_day` (delivery folder) and `_ord` (position in the clean write order); copies keep
their original's `_ord`, so a duplicate lands right after its original when written. Rates are
per row and small: together well under 1% of the rows of any file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DUPLICATE_RATE = 0.0015
REDELIVERY_RATE = 0.0015
LATE_RATE = 0.002
OUT_OF_RANGE_RATE = 0.001

KINDS = ("duplicate_rows", "redelivered_records", "late_arriving_records", "out_of_range_scores")


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)


def out_of_range_survey_scores(rng: np.random.Generator, df: pd.DataFrame) -> int:
    """Scores a form validator should have rejected: NPS 11/12, CSAT 0/6, CES 9."""
    hit = rng.random(len(df)) < OUT_OF_RANGE_RATE
    count = 0
    for col, bad in (("nps", [11, 12]), ("csat", [0, 6]), ("ces", [9])):
        rows = np.flatnonzero(hit & df[col].notna().to_numpy())
        # A row hit for NPS is not hit again for CSAT, so each row counts once.
        hit[rows] = False
        if len(rows):
            df.loc[rows, col] = np.array(bad)[rng.integers(0, len(bad), len(rows))]
            count += len(rows)
    return count


def out_of_range_ratings(rng: np.random.Generator, base: pd.DataFrame) -> int:
    """Star ratings of 0 or 6 on a five-star platform."""
    five = base["rating_scale_max"].to_numpy() == 5
    rows = np.flatnonzero(five & (rng.random(len(base)) < OUT_OF_RANGE_RATE))
    if len(rows):
        base.loc[rows, "rating"] = np.array([0, 6])[rng.integers(0, 2, len(rows))]
    return len(rows)


def late_arrivals(rng: np.random.Generator, df: pd.DataFrame, n_days: int) -> int:
    """Records delivered 1-5 days after the day they happened (only within the range)."""
    lag = rng.integers(1, 6, len(df))
    day = df["_day"].to_numpy()
    rows = np.flatnonzero((rng.random(len(df)) < LATE_RATE) & (day + lag < n_days))
    df.loc[rows, "_day"] = day[rows] + lag[rows]
    return len(rows)


def redeliveries(
    rng: np.random.Generator, df: pd.DataFrame, n_days: int
) -> tuple[pd.DataFrame, int]:
    """The same record, unchanged, delivered again 1-3 days later."""
    shift = rng.integers(1, 4, len(df))
    day = df["_day"].to_numpy()
    rows = np.flatnonzero((rng.random(len(df)) < REDELIVERY_RATE) & (day + shift < n_days))
    copies = df.iloc[rows].copy()
    copies["_day"] = day[rows] + shift[rows]
    return pd.concat([df, copies], ignore_index=True), len(rows)


def duplicate_rows(rng: np.random.Generator, df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Exact copies of rows within the same file."""
    rows = np.flatnonzero(rng.random(len(df)) < DUPLICATE_RATE)
    return pd.concat([df, df.iloc[rows]], ignore_index=True), len(rows)
