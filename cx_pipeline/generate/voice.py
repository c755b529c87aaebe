"""The voice of the customer: themed suggestions and the follow-up of unhappy customers.

Both draw from streams of their own (streams.py), after the surveys and tickets exist, so
every other column stays what the same seed gave before. Suggestions keep the rows the
surveys gave them; their theme follows the respondent's scores (a low price rating makes a
price suggestion likely), and a few are demands beyond any service standard. Follow-ups
are agent-opened phone tickets (created, a reply, solved, closed) after a share of the
dissatisfied responses, VIPs more often, most within days, a few too late.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import compose
from .entities import Agents, Customers
from .texts import DEMANDS, LANGUAGES, THEMED_SUGGESTIONS, THEMES
from .timeline import DAY, HOUR, MINUTE, format_utc

DEMAND_SHARE = 0.04
# How much each theme's attribute rating (attr_product ... attr_competition, 1-7) below the
# middle of the scale raises the odds of a suggestion about it.
ATTRIBUTE_PULL = 0.8
# Themes of suggestions without attribute ratings (post-ticket, SERVQUAL), THEMES order.
BASE_THEME_WEIGHTS = {
    "relationship": np.array([0.25, 0.25, 0.25, 0.2, 0.05]),
    "post_ticket": np.array([0.1, 0.1, 0.2, 0.6, 0.0]),
    "servqual": np.array([0.15, 0.1, 0.25, 0.5, 0.0]),
}
ATTRIBUTES = ["attr_product", "attr_price", "attr_channel", "attr_staff", "attr_competition"]

FOLLOW_UP_SHARE = {False: 0.45, True: 0.75}
FOLLOW_UP_MEDIAN_HOURS = 30.0
FOLLOW_UP_SIGMA = 1.0
FIRST_FOLLOW_UP_TICKET = 20_000_001
CLOSE_AFTER = 96 * HOUR


def _lang_index(df: pd.DataFrame) -> np.ndarray:
    return np.array([LANGUAGES.index(x) for x in df["language"]], dtype=np.int64)


def theme_suggestions(rng: np.random.Generator, surveys: pd.DataFrame) -> int:
    """Rewrite every suggestion, in place, as one about a theme its scores point to; about
    DEMAND_SHARE of them become demands. Returns the number of demands."""
    rows = np.flatnonzero(surveys["suggestion"].notna().to_numpy())
    if len(rows) == 0:
        return 0
    part = surveys.iloc[rows]
    weights = np.stack(
        [BASE_THEME_WEIGHTS.get(s, BASE_THEME_WEIGHTS["relationship"]) for s in part["survey_id"]]
    )
    attrs = part[ATTRIBUTES].to_numpy(dtype=float, na_value=np.nan)
    pull = np.exp(ATTRIBUTE_PULL * np.nan_to_num(4.0 - attrs, nan=0.0))
    weights = weights * pull
    cdf = np.cumsum(weights, axis=1)
    theme = (rng.random(len(rows))[:, None] * cdf[:, -1:] > cdf).sum(axis=1)
    demand = rng.random(len(rows)) < DEMAND_SHARE
    demand_theme = np.where(rng.random(len(rows)) < 0.5, "service", "price")
    pick = rng.random(len(rows))
    texts = []
    for lang, t, d, dt_, u in zip(part["language"], theme, demand, demand_theme, pick, strict=True):
        options = DEMANDS[lang][dt_] if d else THEMED_SUGGESTIONS[lang][THEMES[t]]
        texts.append(options[int(u * len(options))])
    out = np.array(texts, dtype=object)
    compose.add_pii(rng, out, _lang_index(part), 0.02)
    surveys.loc[surveys.index[rows], "suggestion"] = out
    return int(demand.sum())


def _dissatisfied(surveys: pd.DataFrame) -> np.ndarray:
    """As docs/methodology.md, "Customer health": a detractor NPS, a CSAT of 1-2 or an
    overall satisfaction of 1-5."""
    nps = pd.to_numeric(surveys["nps"]).to_numpy(dtype=float, na_value=np.nan)
    csat = pd.to_numeric(surveys["csat"]).to_numpy(dtype=float, na_value=np.nan)
    overall = pd.to_numeric(surveys["overall_satisfaction"]).to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return (nps <= 6) | (csat <= 2) | (overall <= 5)


def follow_ups(
    rng: np.random.Generator,
    surveys: pd.DataFrame,
    customers: Customers,
    agents: Agents,
    start_s: int,
    end_s: int,
    first_ord: int,
    first_number: int = FIRST_FOLLOW_UP_TICKET,
) -> pd.DataFrame:
    """Ticket events (the export's columns + `_day`, `_ord` from first_ord on) of the
    follow-up calls after dissatisfied customers' responses; calls after end_s have not
    happened yet."""
    customer = (surveys["respondent_role"] == "customer").to_numpy()
    rows = np.flatnonzero(customer & _dissatisfied(surveys))
    vip = surveys["segment"].to_numpy()[rows] == "vip"
    share = np.where(vip, FOLLOW_UP_SHARE[True], FOLLOW_UP_SHARE[False])
    rows = rows[rng.random(len(rows)) < share]
    delay = rng.lognormal(np.log(FOLLOW_UP_MEDIAN_HOURS * HOUR), FOLLOW_UP_SIGMA, len(rows))
    created = surveys["_t"].to_numpy()[rows] + np.maximum(delay, 10 * MINUTE).astype(np.int64)
    keep = created < end_s
    rows, created = rows[keep], created[keep]
    order = np.argsort(created, kind="stable")
    rows, created = rows[order], created[order]
    n = len(rows)
    part = surveys.iloc[rows]
    ticket_ids = np.array([f"T{first_number + i}" for i in range(n)], dtype=object)
    agent = agents.ids[rng.integers(0, agents.size, n)]
    reply = created + rng.integers(1, 5, n) * MINUTE
    solved = reply + rng.integers(5, 30, n) * MINUTE
    steps = [
        ("created", created, "open", "agent"),
        ("agent_reply", reply, "open", "agent"),
        ("solved", solved, "solved", "agent"),
        ("closed", solved + CLOSE_AFTER, "closed", "system"),
    ]
    frames = []
    for seq, (etype, t, status, actor) in enumerate(steps, start=1):
        frames.append(
            pd.DataFrame(
                {
                    "ticket_id": ticket_ids,
                    "event_id": [f"{tid}-{seq:02d}" for tid in ticket_ids],
                    "_t": t,
                    "event_type": etype,
                    "status": status,
                    "actor_role": actor,
                    "agent_id": agent,
                    "channel": "phone",
                    "priority": np.where(part["segment"].to_numpy() == "vip", "high", "normal"),
                    "category": "follow_up",
                    "product": part["product"].to_numpy(),
                    "customer_id": part["respondent_id"].to_numpy(),
                    "segment": part["segment"].to_numpy(),
                    "satisfaction": None,
                }
            )
        )
    events = pd.concat(frames, ignore_index=True)
    events = events[events["_t"] < end_s].sort_values(["_t", "event_id"], kind="stable")
    events["event_at"] = format_utc(events["_t"].to_numpy())
    events["_day"] = (events["_t"].to_numpy() - start_s) // DAY
    events["_ord"] = first_ord + np.arange(len(events))
    return events.drop(columns="_t").reset_index(drop=True)
