"""Entry point: generate all landing files for a date range."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from cx_pipeline.ingest.canonical import REVIEWS, SURVEYS, TICKETS

from . import defects as dq
from .entities import make_agents, make_customers
from .reviews import deliveries, generate_reviews
from .streams import stream
from .surveys import add_tolerance_zones, generate_surveys
from .tickets import generate_tickets
from .timeline import DAY, BusinessClock, day_start
from .voice import FIRST_FOLLOW_UP_TICKET, follow_ups, theme_suggestions
from .writer import write_csv, write_jsonl

# Follow-ups of the last tickets (hold periods, reopen, auto-close) can run months past the
# range; the desk calendar must cover them before they are cut off at the range end.
_CLOCK_MARGIN_DAYS = 200


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# Rows a chunk of days holds in pandas before it is written: about 7 MB a scale-day (60 days
# at scale 2 peaked at 877 MB), so a chunk stays under ~1.5 GB however long the range. A
# range that fits one chunk (every test, the demo) is generated exactly as in one piece.
CHUNK_SCALE_DAYS = 200

_TICKET_NUMBER = 10_000_001


def generate(
    data_dir: Path,
    start: dt.date,
    days: int,
    scale: float = 1.0,
    seed: int = 42,
    defects: bool = True,
    _chunk_days: int | None = None,
) -> dict:
    """Write synthetic surveys, ticket events and reviews under `data_dir/landing/`.

    Deterministic for given arguments. Returns row counts per source (as written, defects
    included), the number of files and the number of injected defects per kind.

    A long range is generated in chunks of consecutive days, each written before the next
    is drawn. Records of a chunk that fall after its last day (events of tickets still open,
    late answers and replies, follow-up calls, late deliveries) are carried into the later
    days' files, so that a chunk boundary cuts nothing the range would keep.
    """
    start = _as_date(start)
    if days < 1:
        raise ValueError("days must be >= 1")
    if scale <= 0:
        raise ValueError("scale must be > 0")
    chunk_days = _chunk_days or max(1, int(CHUNK_SCALE_DAYS // scale))
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    landing = Path(data_dir) / "landing"
    customers = make_customers(stream(seed, "customers"), scale)
    agents = make_agents(stream(seed, "agents"), scale)
    clock = BusinessClock(
        start - dt.timedelta(days=7), dates[-1] + dt.timedelta(days=_CLOCK_MARGIN_DAYS)
    )
    summary = {SURVEYS.name: 0, TICKETS.name: 0, REVIEWS.name: 0, "files": 0}
    summary["defects"] = dq.empty_counts()
    spill: dict[str, pd.DataFrame] = {}
    numbers = {"tickets": _TICKET_NUMBER, "follow_ups": FIRST_FOLLOW_UP_TICKET}
    for chunk, first in enumerate(range(0, days, chunk_days)):
        frames, counts = _chunk(
            seed, chunk, dates[first : first + chunk_days], days - first, scale,
            customers, agents, clock, numbers, defects,
        )  # fmt: skip
        chunk_dates = dates[first : first + chunk_days]
        for source, df in frames.items():
            df = _carry_in(spill.pop(source.name, None), df, first)
            later = df["_day"].to_numpy() >= len(chunk_dates)
            if later.any():
                spill[source.name] = _carried_out(source, df[later], first, chunk, chunk_dates[-1])
                df = df[~later]
            write = write_jsonl if source is REVIEWS else write_csv
            summary["files"] += write(df, source, chunk_dates, landing)
            summary[source.name] += len(df)
        for kind, n in counts.items():
            summary["defects"][kind] += n
    return summary


def _carried_out(source, rows: pd.DataFrame, first: int, chunk: int, last: dt.date) -> pd.DataFrame:
    """Rows a chunk leaves for later days, `_day` counted from the range's start. Response
    ids number a day's answers from the same start in every chunk: an answer submitted on a
    later chunk's day keeps its chunk's number with the chunk appended, so it stays unique
    (a re-delivery of an earlier answer keeps its id)."""
    rows = rows.assign(_day=rows["_day"] + first)
    if source is SURVEYS:
        # Rows carried in from earlier chunks have negative orders and their suffix already.
        own = rows["_ord"] >= 0
        later_id = rows["response_id"].str.slice(2, 10) > last.strftime("%Y%m%d")
        rows.loc[own & later_id, "response_id"] += f"-{chunk}"
    return rows


def _carry_in(carried: pd.DataFrame | None, df: pd.DataFrame, first: int) -> pd.DataFrame:
    """The chunk's rows with those earlier chunks left for its days, placed before its own
    rows of the same day (their write order kept)."""
    if carried is None or carried.empty:
        return df
    # Below every own row's order (those count from 0); equal orders stay equal, so that a
    # duplicate still lands right after its original.
    rank = carried["_ord"].rank(method="dense").astype("int64")
    carried = carried.assign(_day=carried["_day"] - first, _ord=rank - int(rank.max()) - 1)
    return pd.concat([carried, df], ignore_index=True)


def _chunk(
    seed: int,
    chunk: int,
    dates: list[dt.date],
    horizon_days: int,
    scale: float,
    customers,
    agents,
    clock: BusinessClock,
    numbers: dict[str, int],
    defects: bool,
) -> tuple[dict, dict[str, int]]:
    """One chunk's records, `_day` counted from its first date (past its end for records
    that belong to later days, up to `horizon_days`); `numbers` are the next ticket numbers,
    advanced past this chunk's."""

    def rng(name: str):
        return stream(seed, name, chunk)

    tickets = generate_tickets(
        rng("tickets"), dates, scale, customers, agents, clock, horizon_days, numbers["tickets"]
    )
    numbers["tickets"] += len(tickets.tickets)
    surveys = generate_surveys(
        rng("surveys"), dates, scale, customers, tickets.tickets, horizon_days
    )
    add_tolerance_zones(rng("zones"), surveys)
    theme_suggestions(rng("suggestions"), surveys)
    start_s = day_start(dates[0])
    calls = follow_ups(
        rng("follow_ups"),
        surveys,
        customers,
        agents,
        start_s,
        start_s + horizon_days * DAY,
        first_ord=len(tickets.events),
        first_number=numbers["follow_ups"],
    )
    numbers["follow_ups"] += int((calls["event_type"] == "created").sum())
    reviews = generate_reviews(rng("reviews"), dates, scale, clock)
    events = tickets.events

    counts = dq.empty_counts()
    if defects:
        defect_rng = rng("defects")
        counts["out_of_range_scores"] += dq.out_of_range_survey_scores(defect_rng, surveys)
        counts["out_of_range_scores"] += dq.out_of_range_ratings(defect_rng, reviews)
        counts["late_arriving_records"] += dq.late_arrivals(defect_rng, surveys, horizon_days)
    review_rows = deliveries(reviews, dates, horizon_days)
    if defects:
        surveys, k1 = dq.redeliveries(defect_rng, surveys, horizon_days)
        review_rows, k2 = dq.redeliveries(defect_rng, review_rows, horizon_days)
        counts["redelivered_records"] += k1 + k2
        surveys, k1 = dq.duplicate_rows(defect_rng, surveys)
        events, k2 = dq.duplicate_rows(defect_rng, events)
        review_rows, k3 = dq.duplicate_rows(defect_rng, review_rows)
        counts["duplicate_rows"] += k1 + k2 + k3

    # After the defects, so that the other events' defects stay what the seed gave.
    events = pd.concat([events, calls], ignore_index=True)
    return {SURVEYS: surveys, TICKETS: events, REVIEWS: review_rows}, counts
