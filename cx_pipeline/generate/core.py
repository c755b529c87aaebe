"""Entry point: generate all landing files for a date range."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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


# Scale-days (days x scale) a chunk draws in pandas before it is written. In one piece 60
# days at scale 10 peaked at 3.0 GiB and a year at scale 10 would need ~20 GB; a chunk of
# 200 peaks near 1.3 GiB with the rows it carries over, however long the range. A range
# that fits one chunk (every test, the demo) is generated exactly as in one piece.
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
    days' files, in the order the writer gives a day's own records, so that a chunk boundary
    cuts nothing the range would keep.
    """
    start = _as_date(start)
    if days < 1:
        raise ValueError("days must be >= 1")
    if scale <= 0:
        raise ValueError("scale must be > 0")
    chunk_days = _chunk_days or max(1, math.floor(CHUNK_SCALE_DAYS / scale))
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    landing = Path(data_dir) / "landing"
    customers = make_customers(stream(seed, "customers"), scale)
    agents = make_agents(stream(seed, "agents"), scale)
    clock = BusinessClock(
        start - dt.timedelta(days=7), dates[-1] + dt.timedelta(days=_CLOCK_MARGIN_DAYS)
    )
    summary = {SURVEYS.name: 0, TICKETS.name: 0, REVIEWS.name: 0, "files": 0}
    summary["defects"] = dq.empty_counts()
    # Records left for later chunks' days, `_day` counted from the range's first day.
    spill: dict[str, pd.DataFrame] = {}
    numbers = {"tickets": _TICKET_NUMBER, "follow_ups": FIRST_FOLLOW_UP_TICKET}
    for chunk, first in enumerate(range(0, days, chunk_days)):
        chunk_dates = dates[first : first + chunk_days]
        carried = {name: df.assign(_day=df["_day"] - first) for name, df in spill.items()}
        span = _Span(chunk, first, chunk_dates, days - first)
        frames, counts = _chunk(
            seed, span, scale, customers, agents, clock, numbers, defects,
            _numbers_given(carried.get(SURVEYS.name)),
        )  # fmt: skip
        spill, carried = {}, {source: carried.get(source.name) for source in frames}
        # Each frame is dropped once written, so the next chunk is drawn without this one.
        while frames:
            source, df = frames.popitem()
            df = _merge(source, carried.pop(source), df)
            later = df["_day"].to_numpy() >= len(chunk_dates)
            if later.any():
                spill[source.name] = df[later].assign(_day=df["_day"][later] + first)
            # The writer leaves out the later days' rows: no copy of the rest is needed.
            write = write_jsonl if source is REVIEWS else write_csv
            summary["files"] += write(df, source, chunk_dates, landing)
            summary[source.name] += len(df) - int(later.sum())
            del df
        for kind, n in counts.items():
            summary["defects"][kind] += n
    # Nothing is drawn past the range end, so the last chunk leaves nothing over.
    assert not spill, {name: len(df) for name, df in spill.items()}
    return summary


@dataclass(frozen=True)
class _Span:
    """A chunk: its number, its first day's index in the range, its dates, and the days
    from its first date to the range end (the horizon records are cut at)."""

    chunk: int
    day0: int
    dates: list[dt.date]
    horizon_days: int


def _numbers_given(carried: pd.DataFrame | None) -> dict[dt.date, int]:
    """Per day, the highest response number earlier chunks gave an answer of that day
    (submitted after their last day), for this chunk to number its own answers after."""
    if carried is None or carried.empty:
        return {}
    ids = carried["response_id"].str.split("-", expand=True)
    highest = ids[2].astype("int64").groupby(ids[1]).max()
    return {dt.datetime.strptime(d, "%Y%m%d").date(): int(n) for d, n in highest.items()}


def _write_key(source, df: pd.DataFrame) -> list[pd.Series]:
    """What orders a day's records in the generator's files (and `_ord` within a chunk):
    responses by submission (a late or repeated delivery keeps its original instant, so
    it comes first, as in one piece); ticket events by time, ticket and sequence, the
    follow-up calls after the desk's own tickets; reviews by the instant of their delivery
    (publication, or the reply delivered on a later day), first deliveries first."""
    if source is SURVEYS:
        return [df["_t"]]
    if source is TICKETS:
        # Ticket ids have one width, so they sort as their numbers; an event id is its
        # ticket's id and a sequence number, which sorts by its length first.
        event_id = df["event_id"]
        call = df["category"] == "follow_up"
        return [call, df["event_at"], df["ticket_id"], event_id.str.len(), event_id]
    reply = df["reply_at"]
    second = reply.notna() & (reply.str.slice(0, 10) > df["published_at"].str.slice(0, 10))
    return [reply.where(second, df["published_at"]), second, df["review_id"]]


def _merge(source, carried: pd.DataFrame | None, df: pd.DataFrame) -> pd.DataFrame:
    """A chunk's records with those earlier chunks left for its days (`_day` counted from
    the chunk's first date); a day holding both is put in the writer's order again."""
    if carried is None or carried.empty:
        return df
    # Exact ties keep the frames' order: a duplicate stays right after its original (copies
    # are appended), and earlier chunks' rows come before this chunk's.
    df = pd.concat([carried, df], ignore_index=True)
    mixed = df["_day"].isin(carried["_day"].unique()).to_numpy()
    keys = pd.DataFrame(
        {f"k{i}": k.to_numpy()[mixed] for i, k in enumerate([df["_day"], *_write_key(source, df)])}
    )
    keys["position"] = np.arange(len(keys))
    order = keys.sort_values(list(keys.columns)).index.to_numpy()
    ords = np.empty(len(keys), dtype=np.int64)
    ords[order] = np.arange(len(keys))
    df.loc[mixed, "_ord"] = ords
    return df


def _chunk(
    seed: int,
    span: _Span,
    scale: float,
    customers,
    agents,
    clock: BusinessClock,
    numbers: dict[str, int],
    defects: bool,
    ids_after: dict[dt.date, int],
) -> tuple[dict, dict[str, int]]:
    """One chunk's records, `_day` counted from its first date (past its end for records
    that belong to later days, up to the range end); `numbers` are the next ticket numbers,
    advanced past this chunk's."""
    dates, horizon_days, day0 = span.dates, span.horizon_days, span.day0

    def rng(name: str):
        return stream(seed, name, span.chunk)

    tickets = generate_tickets(
        rng("tickets"), dates, scale, customers, agents, clock, horizon_days,
        numbers["tickets"], day0,
    )  # fmt: skip
    numbers["tickets"] += len(tickets.tickets)
    surveys = generate_surveys(
        rng("surveys"), dates, scale, customers, tickets.tickets, horizon_days, day0, ids_after
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
    reviews = generate_reviews(rng("reviews"), dates, scale, clock, day0)
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
