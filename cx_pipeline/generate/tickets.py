"""Support tickets as event streams (created -> assigned -> replies -> solved -> closed ...).

Each lifecycle step is computed for all tickets at once; the only loop runs over the number of
back-and-forth exchanges (at most MAX_AGENT_REPLIES). Events are emitted into flat arrays and
sorted once per ticket by time, which gives the event sequence numbers.

`agent_id` on an event is the ticket's assignee at that moment (like a helpdesk audit log),
not necessarily the actor: customer replies on an assigned ticket carry the assignee too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cx_pipeline.ingest.canonical import ACTOR_ROLES, TICKET_EVENT_TYPES, TICKET_STATUSES

from .entities import PRODUCTS, REGION_UTC_OFFSET_H, SEGMENTS, Agents, Customers
from .timeline import (
    DAY,
    HOUR,
    MINUTE,
    BusinessClock,
    daily_factors,
    day_start,
    format_utc,
    seconds_of_day,
)

TICKETS_PER_DAY = 1000.0

EVENT_TYPES = np.array(TICKET_EVENT_TYPES, dtype=object)
(CREATED, ASSIGNED, AGENT_REPLY, CUSTOMER_REPLY, NOTE, STATUS_CHANGE, SOLVED, REOPENED) = range(8)
CLOSED, RATED = 8, 9

STATUSES = np.array(TICKET_STATUSES, dtype=object)
NEW, OPEN, PENDING, HOLD, SOLVED_S, CLOSED_S = range(6)

ACTORS = np.array(ACTOR_ROLES, dtype=object)
AGENT, CUSTOMER, SYSTEM = range(3)

CHANNELS = np.array(["email", "web", "phone", "chat", "social"], dtype=object)
CHANNEL_WEIGHTS = np.array([0.35, 0.25, 0.12, 0.20, 0.08])
# Live channels get answered faster than asynchronous ones.
CHANNEL_SPEED = np.array([1.0, 1.0, 0.5, 0.25, 0.8])
PHONE = 2

PRIORITIES = np.array(["urgent", "high", "normal", "low"], dtype=object)
PRIORITY_WEIGHTS_STANDARD = np.array([0.03, 0.15, 0.62, 0.20])
PRIORITY_WEIGHTS_VIP = np.array([0.08, 0.30, 0.50, 0.12])
FIRST_REPLY_MEDIAN_MIN = np.array([20.0, 45.0, 75.0, 150.0])
SLA_FIRST_REPLY_H = np.array([1.0, 2.0, 4.0, 8.0])

CATEGORIES = np.array(["billing", "delivery", "product_defect", "account", "returns"], dtype=object)
CATEGORY_WEIGHTS = np.array([0.25, 0.25, 0.20, 0.15, 0.15])
# Defects need investigation; billing and account questions are usually answered at once.
CATEGORY_ONE_TOUCH_ADJ = np.array([0.05, 0.0, -0.15, 0.05, -0.02])
PRODUCT_DEFECT = 2

AGENT_CREATED_SHARE = 0.03
MAX_AGENT_REPLIES = 8
AUTO_CLOSE_AFTER = 96 * HOUR


@dataclass(frozen=True)
class TicketData:
    events: pd.DataFrame  # the export's columns + "_day" (folder) + "_ord" (write order)
    # One row per ticket: what post-ticket surveys need to know about the experience.
    tickets: pd.DataFrame


def _lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int):
    return rng.lognormal(np.log(median), sigma, n)


def _pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw from an (n, k) weight matrix."""
    cdf = np.cumsum(weights, axis=1)
    return (rng.random(len(weights))[:, None] * cdf[:, -1:] > cdf).sum(axis=1)


class _Events:
    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def emit(self, ticket, t, etype, status, actor, agent, sat=None) -> None:
        n = len(ticket)
        full = np.full
        self.parts.append(
            (
                np.asarray(ticket, dtype=np.int64),
                np.asarray(t, dtype=np.int64),
                full(n, etype, dtype=np.int8),
                np.broadcast_to(np.asarray(status, dtype=np.int8), (n,)),
                np.broadcast_to(np.asarray(actor, dtype=np.int8), (n,)),
                np.asarray(agent, dtype=np.int64),
                full(n, -1, dtype=np.int8) if sat is None else np.asarray(sat, dtype=np.int8),
                full(n, len(self.parts), dtype=np.int16),
            )
        )

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(np.concatenate(cols) for cols in zip(*self.parts, strict=True))


@dataclass(frozen=True)
class _Drafts:
    """Per-ticket attributes, one array element per ticket in creation order."""

    idx: np.ndarray
    created: np.ndarray
    assigned: np.ndarray
    cust: np.ndarray
    vip: np.ndarray
    by_agent: np.ndarray
    channel: np.ndarray
    priority: np.ndarray
    category: np.ndarray
    product: np.ndarray
    agent: np.ndarray
    speed: np.ndarray
    quality: np.ndarray

    @property
    def n(self) -> int:
        return len(self.idx)


def _draft_tickets(
    rng: np.random.Generator,
    dates: list[dt.date],
    scale: float,
    customers: Customers,
    agents: Agents,
    clock: BusinessClock,
    day0: int,
) -> _Drafts:
    n_days = len(dates)
    lam = TICKETS_PER_DAY * scale * daily_factors(dates, "tickets", growth_per_90d=0.05, day0=day0)
    day = np.repeat(np.arange(n_days), rng.poisson(lam))
    n = len(day)
    cust = customers.sample(rng, n)
    offset = REGION_UTC_OFFSET_H[customers.region[cust]]
    created = day_start(dates[0]) + day * DAY + seconds_of_day(rng, offset)
    # Ticket numbers increase with creation time, as in a helpdesk.
    order = np.argsort(created, kind="stable")
    cust, created = cust[order], created[order]
    vip = customers.vip[cust]

    # Agents open tickets for callers, so those fall inside desk hours.
    open_now = clock.is_open(created)
    open_share = max(float(open_now.mean()), 0.05) if n else 1.0
    by_agent = open_now & (rng.random(n) < AGENT_CREATED_SHARE / open_share)
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_WEIGHTS)
    channel[by_agent] = PHONE
    priority = _pick(rng, np.where(vip[:, None], PRIORITY_WEIGHTS_VIP, PRIORITY_WEIGHTS_STANDARD))
    category = rng.choice(len(CATEGORIES), size=n, p=CATEGORY_WEIGHTS)
    own_product = rng.random(n) < 0.8
    product = np.where(own_product, customers.product[cust], rng.integers(0, len(PRODUCTS), n))
    agent = rng.choice(agents.size, size=n, p=agents.capacity)
    return _Drafts(
        idx=np.arange(n),
        created=created,
        assigned=created + rng.integers(5, 180, n),
        cust=cust,
        vip=vip,
        by_agent=by_agent,
        channel=channel,
        priority=priority,
        category=category,
        product=product,
        agent=agent,
        speed=agents.speed[agent],
        quality=agents.quality[agent],
    )


def _first_response(
    rng: np.random.Generator, d: _Drafts, clock: BusinessClock, ev: _Events
) -> tuple[np.ndarray, np.ndarray]:
    """created, assigned, maybe an internal note, first agent reply; returns (reply, SLA breach)."""
    ev.emit(
        d.idx,
        d.created,
        CREATED,
        NEW,
        np.where(d.by_agent, AGENT, CUSTOMER),
        np.where(d.by_agent, d.agent, -1),
    )
    ev.emit(d.idx, d.assigned, ASSIGNED, OPEN, SYSTEM, d.agent)

    median = FIRST_REPLY_MEDIAN_MIN[d.priority] * MINUTE * CHANNEL_SPEED[d.channel] * d.speed
    busy = np.clip(_lognormal(rng, median, 0.6, d.n), MINUTE, 5 * 8 * HOUR).astype(np.int64)
    busy[d.by_agent] = rng.integers(MINUTE, 15 * MINUTE, int(d.by_agent.sum()))
    first_reply = clock.add(d.assigned, busy)

    note = np.flatnonzero(rng.random(d.n) < np.where(d.category == PRODUCT_DEFECT, 0.25, 0.10))
    # Notes are written while working on the ticket, i.e. in desk hours before the reply.
    worked = (busy[note] * rng.uniform(0.2, 0.8, len(note))).astype(np.int64)
    ev.emit(
        note, clock.add(d.assigned[note], np.maximum(worked, 1)), NOTE, OPEN, AGENT, d.agent[note]
    )
    ev.emit(d.idx, first_reply, AGENT_REPLY, PENDING, AGENT, d.agent)
    return first_reply, busy > SLA_FIRST_REPLY_H[d.priority] * HOUR


def _conversation(
    rng: np.random.Generator,
    d: _Drafts,
    clock: BusinessClock,
    ev: _Events,
    first_reply: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Further exchanges until the last agent reply; returns (last reply, agent replies)."""
    p_one_touch = np.clip(0.72 + 0.08 * d.quality + CATEGORY_ONE_TOUCH_ADJ[d.category], 0.3, 0.95)
    replies = np.where(rng.random(d.n) < p_one_touch, 1, 1 + rng.geometric(0.55, d.n))
    replies = np.minimum(replies, MAX_AGENT_REPLIES)
    p_hold = np.where(d.category == PRODUCT_DEFECT, 0.35, 0.04)
    on_hold = (replies >= 2) & (rng.random(d.n) < p_hold)

    last = first_reply.copy()
    for k in range(1, MAX_AGENT_REPLIES):
        more = replies > k
        if not more.any():
            break
        if k == 1:
            hold = np.flatnonzero(more & on_hold)
            talk = np.flatnonzero(more & ~on_hold)
            # Escalated to a third party: the ticket waits, then the agent reports back.
            hold_t = last[hold] + rng.integers(30, 600, len(hold))
            ev.emit(hold, hold_t, STATUS_CHANGE, HOLD, AGENT, d.agent[hold])
            waited = np.clip(_lognormal(rng, 20 * HOUR, 0.8, len(hold)), 2 * HOUR, 10 * DAY)
            back = hold_t + waited.astype(np.int64)
            last[hold] = clock.add(back, rng.integers(5 * MINUTE, HOUR, len(hold)))
            ev.emit(hold, last[hold], AGENT_REPLY, PENDING, AGENT, d.agent[hold])
        else:
            talk = np.flatnonzero(more)
        m = len(talk)
        cust_wait = np.clip(_lognormal(rng, 4 * HOUR, 1.1, m), 2 * MINUTE, 7 * DAY)
        cust_t = last[talk] + cust_wait.astype(np.int64)
        ev.emit(talk, cust_t, CUSTOMER_REPLY, OPEN, CUSTOMER, d.agent[talk])
        agent_wait = _lognormal(rng, 90 * MINUTE * d.speed[talk], 0.7, m)
        agent_wait = np.clip(agent_wait, MINUTE, 3 * 8 * HOUR).astype(np.int64)
        last[talk] = clock.add(cust_t, agent_wait)
        ev.emit(talk, last[talk], AGENT_REPLY, PENDING, AGENT, d.agent[talk])
    return last, replies


def _resolution(
    rng: np.random.Generator,
    d: _Drafts,
    clock: BusinessClock,
    ev: _Events,
    last_reply: np.ndarray,
    replies: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """solved, possibly reopened and solved again; returns (last solve, reopened)."""
    # Either the agent solves with the reply, or waits for the customer to confirm.
    confirm = rng.random(d.n) < 0.4
    ci = np.flatnonzero(confirm)
    wait = np.clip(_lognormal(rng, 3 * HOUR, 1.0, len(ci)), 120, 5 * DAY)
    confirm_t = last_reply[ci] + wait.astype(np.int64)
    ev.emit(ci, confirm_t, CUSTOMER_REPLY, OPEN, CUSTOMER, d.agent[ci])
    solve1 = last_reply + rng.integers(1, 6, d.n)
    solve1[ci] = clock.add(confirm_t, rng.integers(5 * MINUTE, 2 * HOUR, len(ci)))
    ev.emit(d.idx, solve1, SOLVED, SOLVED_S, AGENT, d.agent)

    # Quick one-touch solves without confirmation are the ones that bounce back.
    p_reopen = 0.06 + 0.035 * ((replies == 1) & ~confirm) - 0.04 * d.quality
    p_reopen = np.clip(p_reopen + 0.03 * (d.category == PRODUCT_DEFECT), 0.01, 0.4)
    reopened = rng.random(d.n) < p_reopen
    ri = np.flatnonzero(reopened)
    # The customer can only reopen before the ticket auto-closes.
    back = np.clip(_lognormal(rng, 18 * HOUR, 1.0, len(ri)), 10 * MINUTE, 90 * HOUR)
    reopen_t = solve1[ri] + back.astype(np.int64)
    ev.emit(ri, reopen_t, REOPENED, OPEN, CUSTOMER, d.agent[ri])
    wait = np.clip(_lognormal(rng, 100 * MINUTE * d.speed[ri], 0.7, len(ri)), MINUTE, 24 * HOUR)
    reply_t = clock.add(reopen_t, wait.astype(np.int64))
    ev.emit(ri, reply_t, AGENT_REPLY, PENDING, AGENT, d.agent[ri])
    last_solve = solve1.copy()
    last_solve[ri] = reply_t + rng.integers(1, 6, len(ri))
    ev.emit(ri, last_solve[ri], SOLVED, SOLVED_S, AGENT, d.agent[ri])
    return last_solve, reopened


def _close_and_rate(
    rng: np.random.Generator,
    d: _Drafts,
    ev: _Events,
    last_solve: np.ndarray,
    happiness: np.ndarray,
) -> None:
    closed_t = last_solve + AUTO_CLOSE_AFTER + rng.integers(0, HOUR, d.n)
    ev.emit(d.idx, closed_t, CLOSED, CLOSED_S, SYSTEM, d.agent)
    # The satisfaction survey goes out a day after the solve; late answers land on closed tickets.
    rated = np.flatnonzero(rng.random(d.n) < 0.22)
    delay = DAY + np.minimum(rng.exponential(8 * HOUR, len(rated)), 9 * DAY)
    rated_t = last_solve[rated] + delay.astype(np.int64)
    p_good = 1.0 / (1.0 + np.exp(-happiness[rated]))
    bad = (rng.random(len(rated)) >= p_good).astype(np.int8)
    status = np.where(rated_t > closed_t[rated], CLOSED_S, SOLVED_S)
    ev.emit(rated, rated_t, RATED, status, CUSTOMER, d.agent[rated], sat=bad)


def generate_tickets(
    rng: np.random.Generator,
    dates: list[dt.date],
    scale: float,
    customers: Customers,
    agents: Agents,
    clock: BusinessClock,
    horizon_days: int | None = None,
    first_number: int = 10_000_001,
    day0: int = 0,
) -> TicketData:
    """Tickets created on `dates` (`day0` days after the range's first day), numbered from
    `first_number`; their events up to `horizon_days` after `dates[0]` (default: the end of
    `dates`)."""
    start_s = day_start(dates[0])
    d = _draft_tickets(rng, dates, scale, customers, agents, clock, day0)
    ev = _Events()
    first_reply, sla_breach = _first_response(rng, d, clock, ev)
    last_reply, replies = _conversation(rng, d, clock, ev, first_reply)
    last_solve, reopened = _resolution(rng, d, clock, ev, last_reply, replies)
    touches = replies + reopened
    happiness = (
        2.0
        + 0.9 * d.quality
        - 1.6 * reopened
        - 1.0 * sla_breach
        - 0.3 * (touches - 1)
        + 0.5 * customers.disposition[d.cust]
    )
    _close_and_rate(rng, d, ev, last_solve, happiness)

    ticket_ids = np.array([f"T{first_number + i}" for i in range(d.n)], dtype=object)
    per_ticket = {
        "ticket_id": ticket_ids,
        "channel": CHANNELS[d.channel],
        "priority": PRIORITIES[d.priority],
        "category": CATEGORIES[d.category],
        "product": PRODUCTS[d.product],
        "customer_id": customers.ids[d.cust],
        "segment": SEGMENTS[d.vip.astype(np.int64)],
    }
    end_s = start_s + (horizon_days or len(dates)) * DAY
    events = _event_frame(ev, start_s, end_s, per_ticket, agents.ids)
    tickets = pd.DataFrame(
        {
            "ticket_id": ticket_ids,
            "customer": d.cust,
            "channel": per_ticket["channel"],
            "product": per_ticket["product"],
            "agent_quality": d.quality,
            "reopened": reopened,
            "sla_breach": sla_breach,
            "first_reply_hours": (first_reply - d.created) / HOUR,
            "touches": touches,
            "last_solve": last_solve,
        }
    )
    return TicketData(events=events, tickets=tickets)


def _event_frame(
    ev: _Events, start_s: int, end_s: int, per_ticket: dict[str, np.ndarray], agent_ids: np.ndarray
) -> pd.DataFrame:
    ticket, t, etype, status, actor, agent, sat, emit_no = ev.arrays()
    # Sequence follows time; emission order breaks exact ties deterministically.
    order = np.lexsort((emit_no, t, ticket))
    ticket, t, etype, status, actor, agent, sat = (
        a[order] for a in (ticket, t, etype, status, actor, agent, sat)
    )
    seq = np.arange(len(ticket)) - np.searchsorted(ticket, ticket, side="left") + 1

    # Events after the last generated day have not happened yet: open tickets form the backlog.
    keep = t < end_s
    cols = [a[keep] for a in (ticket, t, etype, status, actor, agent, sat, seq)]
    write_order = np.lexsort((cols[7], cols[0], cols[1]))
    ticket, t, etype, status, actor, agent, sat, seq = (a[write_order] for a in cols)

    tid = per_ticket["ticket_id"][ticket]
    agent_col = np.where(agent >= 0, agent_ids[np.clip(agent, 0, None)], None)
    frame = {
        "ticket_id": tid,
        "event_id": np.array([f"{a}-{s:02d}" for a, s in zip(tid, seq, strict=True)], dtype=object),
        "event_at": format_utc(t),
        "event_type": EVENT_TYPES[etype],
        "status": STATUSES[status],
        "actor_role": ACTORS[actor],
        "agent_id": agent_col,
    }
    for col in ("channel", "priority", "category", "product", "customer_id", "segment"):
        frame[col] = per_ticket[col][ticket]
    frame["satisfaction"] = np.array([None, "good", "bad"], dtype=object)[sat + 1]
    frame["_day"] = (t - start_s) // DAY
    frame["_ord"] = np.arange(len(t))
    return pd.DataFrame(frame)
