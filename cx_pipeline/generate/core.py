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
from .voice import follow_ups, theme_suggestions
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


def generate(
    data_dir: Path,
    start: dt.date,
    days: int,
    scale: float = 1.0,
    seed: int = 42,
    defects: bool = True,
) -> dict:
    """Write synthetic surveys, ticket events and reviews under `data_dir/landing/`.

    Deterministic for given arguments. Returns row counts per source (as written, defects
    included), the number of files and the number of injected defects per kind.
    """
    start = _as_date(start)
    if days < 1:
        raise ValueError("days must be >= 1")
    if scale <= 0:
        raise ValueError("scale must be > 0")
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    landing = Path(data_dir) / "landing"

    customers = make_customers(stream(seed, "customers"), scale)
    agents = make_agents(stream(seed, "agents"), scale)
    clock = BusinessClock(
        start - dt.timedelta(days=7), dates[-1] + dt.timedelta(days=_CLOCK_MARGIN_DAYS)
    )
    tickets = generate_tickets(stream(seed, "tickets"), dates, scale, customers, agents, clock)
    surveys = generate_surveys(stream(seed, "surveys"), dates, scale, customers, tickets.tickets)
    add_tolerance_zones(stream(seed, "zones"), surveys)
    theme_suggestions(stream(seed, "suggestions"), surveys)
    start_s = day_start(dates[0])
    calls = follow_ups(
        stream(seed, "follow_ups"),
        surveys,
        customers,
        agents,
        start_s,
        start_s + days * DAY,
        first_ord=len(tickets.events),
    )
    reviews = generate_reviews(stream(seed, "reviews"), dates, scale, clock)
    events = tickets.events

    counts = dq.empty_counts()
    if defects:
        rng = stream(seed, "defects")
        counts["out_of_range_scores"] += dq.out_of_range_survey_scores(rng, surveys)
        counts["out_of_range_scores"] += dq.out_of_range_ratings(rng, reviews)
        counts["late_arriving_records"] += dq.late_arrivals(rng, surveys, days)
    review_rows = deliveries(reviews, dates)
    if defects:
        surveys, k1 = dq.redeliveries(rng, surveys, days)
        review_rows, k2 = dq.redeliveries(rng, review_rows, days)
        counts["redelivered_records"] += k1 + k2
        surveys, k1 = dq.duplicate_rows(rng, surveys)
        events, k2 = dq.duplicate_rows(rng, events)
        review_rows, k3 = dq.duplicate_rows(rng, review_rows)
        counts["duplicate_rows"] += k1 + k2 + k3

    # After the defects, so that the other events' defects stay what the seed gave.
    events = pd.concat([events, calls], ignore_index=True)
    files = write_csv(surveys, SURVEYS, dates, landing)
    files += write_csv(events, TICKETS, dates, landing)
    files += write_jsonl(review_rows, REVIEWS, dates, landing)
    return {
        SURVEYS.name: len(surveys),
        TICKETS.name: len(events),
        REVIEWS.name: len(review_rows),
        "files": files,
        "defects": counts,
    }
