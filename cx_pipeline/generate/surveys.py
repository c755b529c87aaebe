"""Survey responses of three questionnaires: relationship (NPS + drivers), post_ticket
(CSAT/CES after a solved ticket) and SERVQUAL (expectations vs perceptions).

Scores come from latent variables with known structure so that analyses downstream find it:
key drivers with unequal weights, CSAT hurt by reopened or slow tickets, SERVQUAL gaps largest
for responsiveness and smallest for tangibles, managers underestimating expectations. A share
of SERVQUAL customers also state their adequate level (narrowest zone of tolerance for
reliability, perceptions below it for responsiveness) and importance points.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cx_pipeline.ingest.canonical import (
    DIMENSIONS,
    DRIVERS,
    IMPORTANCE_POINTS,
    RESPONDENT_ROLES,
    SERVQUAL_ITEMS,
    SURVEYS,
)

from . import compose
from .entities import (
    BRANDS,
    PRODUCTS,
    REGION_UTC_OFFSET_H,
    REGIONS,
    SEGMENTS,
    Customers,
    employee_ids,
)
from .ids import daily_ids
from .texts import LANGUAGES, THEMES
from .timeline import DAY, HOUR, daily_factors, day_start, format_utc, seconds_of_day

EXP_COLUMNS = [item for item in SERVQUAL_ITEMS if item.startswith("exp_")]
PER_COLUMNS = [item for item in SERVQUAL_ITEMS if item.startswith("per_")]
ADQ_COLUMNS = [item for item in SERVQUAL_ITEMS if item.startswith("adq_")]
ATTRIBUTES = [f"attr_{driver}" for driver in DRIVERS]
# Whole numbers in the demo, written without a decimal point.
SCORE_COLUMNS = [c.name for c in SURVEYS.columns if c.type in ("INTEGER", "DOUBLE")]

RESPONSES_PER_DAY = 400.0
RELATIONSHIP_SHARE = 0.50
SERVQUAL_SHARE = 0.15
# Share of solved tickets whose customer answers the post-ticket survey (~35% of responses).
POST_TICKET_RESPONSE_RATE = 0.15

TOUCHPOINTS = np.array(["purchase", "delivery", "billing", "onboarding", "support"], dtype=object)
TOUCHPOINT_WEIGHTS = np.array([0.30, 0.20, 0.20, 0.15, 0.15])

# Driver structure: staff and product matter most, competition hardly at all.
ATTR_BIAS = np.array([0.4, -0.5, 0.3, 0.3, 0.0])
ATTR_WEIGHTS = np.array([0.34, 0.12, 0.15, 0.36, 0.03])
# Attribute that colours a comment phrase of each theme (THEMES order).
THEME_ATTRIBUTE = [0, 1, 2, 3, 4]

DIM_NAMES = list(DIMENSIONS)
DIM_ITEMS = np.array(list(DIMENSIONS.values()))
EXPECTATION_SHIFT = np.array([-0.3, 0.2, 0.0, 0.0, -0.2])
PERCEPTION_GAP = np.array([-0.2, -0.8, -1.3, -0.55, -0.7])

# Zone of tolerance (Parasuraman, Zeithaml & Berry 1994): the adequate level lies this far
# below the desired one, least for reliability, the dimension customers tolerate least.
ZONE_WIDTH = np.array([1.6, 0.9, 1.1, 1.3, 1.4])
ZONE_SHARE = 0.4
# 100 importance points over the dimensions, reliability first, tangibles last, as the
# SERVQUAL studies found.
IMPORTANCE_MEAN = np.array([0.11, 0.32, 0.22, 0.19, 0.16])
IMPORTANCE_SHARE = 0.5


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _clip_round(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.rint(x), lo, hi).astype(np.int64)


def _choice(
    rng: np.random.Generator, values: np.ndarray, weights: list[float] | np.ndarray, n: int
) -> np.ndarray:
    return values[rng.choice(len(values), size=n, p=np.asarray(weights) / np.sum(weights))]


def _competitor(rng: np.random.Generator, n: int) -> np.ndarray:
    return BRANDS[rng.integers(1, len(BRANDS), n)]


def _customer_block(customers: Customers, cust: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "respondent_id": customers.ids[cust],
        "respondent_role": np.full(len(cust), "customer", dtype=object),
        "segment": SEGMENTS[customers.vip[cust].astype(np.int64)],
        "region": REGIONS[customers.region[cust]],
        "language": np.array(LANGUAGES, dtype=object)[customers.language[cust]],
    }


def _comments(
    rng: np.random.Generator,
    lang: np.ndarray,
    share: float,
    theme_weights: list[float],
    p_positive_by_theme: np.ndarray,
) -> np.ndarray:
    """Comment for about `share` of rows; p_positive_by_theme is (n, len(THEMES))."""
    n = len(lang)
    n_phrases = np.where(rng.random(n) < share, compose.phrase_counts(rng, n), 0)
    themes = compose.choose_themes(rng, np.asarray(theme_weights), n_phrases)
    p_pos = np.take_along_axis(p_positive_by_theme, np.clip(themes, 0, None), axis=1)
    positive = rng.random(themes.shape) < p_pos
    return compose.compose(rng, lang, themes, positive, _competitor(rng, n))


def _suggestions(rng: np.random.Generator, lang: np.ndarray, share: float) -> np.ndarray:
    out = compose.suggestions(rng, lang)
    out[rng.random(len(lang)) >= share] = None
    return out


def _relationship(
    rng: np.random.Generator,
    dates: list[dt.date],
    day: np.ndarray,
    customers: Customers,
    day0: int,
) -> dict[str, np.ndarray]:
    n = len(day)
    cust = customers.sample(rng, n)
    block = _customer_block(customers, cust)
    block["_t"] = (
        day_start(dates[0])
        + day * DAY
        + seconds_of_day(rng, REGION_UTC_OFFSET_H[customers.region[cust]])
    )
    block["survey_id"] = np.full(n, "relationship", dtype=object)
    block["channel"] = _choice(
        rng, np.array(["email", "web", "sms", "in_app"], object), [45, 20, 15, 20], n
    )
    block["touchpoint"] = _choice(rng, TOUCHPOINTS, TOUCHPOINT_WEIGHTS, n)
    block["product"] = PRODUCTS[customers.product[cust]]

    halo = 0.7 * customers.disposition[cust] + rng.normal(0, 0.7, n)
    z = 0.65 * halo[:, None] + 0.75 * rng.normal(size=(n, len(ATTRIBUTES)))
    bias = ATTR_BIAS + np.where(customers.vip[cust][:, None], [0, 0, 0, 0.3, 0], 0.0)
    attrs = _clip_round(4.5 + bias + 1.3 * z, 1, 7)
    # Slow improvement over the period, as a CX programme would hope to see.
    trend = 0.3 * (day0 + day) / 90.0
    latent = ((attrs - 4) / 1.5) @ ATTR_WEIGHTS + rng.normal(0, 0.45, n) + trend
    block["overall_satisfaction"] = _clip_round(7.0 + 1.8 * latent, 1, 10)
    nps = _clip_round(7.0 + 2.0 * latent + rng.normal(0, 1.0, n), 0, 10)
    block["nps"] = nps
    for j, col in enumerate(ATTRIBUTES):
        block[col] = attrs[:, j]

    p_pos = _sigmoid(1.6 * (attrs - 4) + 0.3 * (nps[:, None] - 7))[:, THEME_ATTRIBUTE]
    lang = customers.language[cust]
    block["comment"] = _comments(rng, lang, 0.55, [0.30, 0.20, 0.15, 0.28, 0.07], p_pos)
    block["suggestion"] = _suggestions(rng, lang, 0.20)
    return block


def _post_ticket(
    rng: np.random.Generator, customers: Customers, tickets: pd.DataFrame, end_s: int
) -> dict[str, np.ndarray]:
    answered = rng.random(len(tickets)) < POST_TICKET_RESPONSE_RATE
    delay = np.clip(rng.lognormal(np.log(5 * HOUR), 1.0, len(tickets)), 300, 5 * DAY)
    submitted = tickets["last_solve"].to_numpy() + delay.astype(np.int64)
    tk = tickets[answered & (submitted < end_s)]
    submitted = submitted[answered & (submitted < end_s)]
    n = len(tk)
    cust = tk["customer"].to_numpy()
    block = _customer_block(customers, cust)
    block["_t"] = submitted
    block["survey_id"] = np.full(n, "post_ticket", dtype=object)
    block["channel"] = tk["channel"].to_numpy()
    block["touchpoint"] = np.full(n, "support", dtype=object)
    block["product"] = tk["product"].to_numpy()
    block["ticket_id"] = tk["ticket_id"].to_numpy()

    touches = tk["touches"].to_numpy()
    q = (
        0.9
        + 0.6 * tk["agent_quality"].to_numpy()
        - 1.3 * tk["reopened"].to_numpy()
        - 0.8 * tk["sla_breach"].to_numpy()
        - 0.5 * np.log1p(tk["first_reply_hours"].to_numpy() / 24.0)
        - 0.25 * (touches - 1)
        + 0.4 * customers.disposition[cust]
        + rng.normal(0, 0.9, n)
    )
    csat = 1 + (q[:, None] > np.array([-1.7, -0.9, -0.1, 0.7])).sum(axis=1)
    block["csat"] = csat
    block["ces"] = _clip_round(5.3 + 1.0 * q - 0.3 * (touches - 1) + rng.normal(0, 0.7, n), 1, 7)
    nps = _clip_round(6.8 + 1.6 * q + rng.normal(0, 1.2, n), 0, 10).astype(float)
    nps[rng.random(n) >= 0.4] = np.nan
    block["nps"] = nps

    p_pos = np.repeat(_sigmoid(1.8 * (csat - 3.0))[:, None], len(THEMES), axis=1)
    lang = customers.language[cust]
    block["comment"] = _comments(rng, lang, 0.45, [0.15, 0.05, 0.10, 0.70, 0.0], p_pos)
    block["suggestion"] = _suggestions(rng, lang, 0.10)
    return block


def _servqual(
    rng: np.random.Generator,
    dates: list[dt.date],
    day: np.ndarray,
    customers: Customers,
    scale: float,
) -> dict[str, np.ndarray]:
    n = len(day)
    role = _choice(rng, np.array(RESPONDENT_ROLES, object), [87, 10, 3], n)
    is_cust = role == "customer"
    cust = customers.sample(rng, n)
    block = _customer_block(customers, cust)
    block["respondent_role"] = role
    staff_pool = employee_ids(max(5, int(round(40 * scale))))
    n_managers = max(1, len(staff_pool) // 4)
    emp = np.where(
        role == "manager",
        rng.integers(0, n_managers, n),
        rng.integers(n_managers, len(staff_pool), n),
    )
    # Employees sit at the Lisbon desk and are not customers: no segment or product.
    block["respondent_id"] = np.where(is_cust, block["respondent_id"], staff_pool[emp])
    block["segment"] = np.where(is_cust, block["segment"], None)
    block["region"] = np.where(is_cust, block["region"], "EU-South")
    emp_lang = np.where(rng.random(n) < 0.7, "pt", "en")
    block["language"] = np.where(is_cust, block["language"], emp_lang)
    offset = np.where(is_cust, REGION_UTC_OFFSET_H[customers.region[cust]], 0)
    block["_t"] = day_start(dates[0]) + day * DAY + seconds_of_day(rng, offset)
    block["survey_id"] = np.full(n, "servqual", dtype=object)
    cust_channel = _choice(
        rng, np.array(["email", "web", "in_person", "receipt"], object), [40, 25, 20, 15], n
    )
    block["channel"] = np.where(is_cust, cust_channel, "web")
    block["touchpoint"] = np.where(is_cust, _choice(rng, TOUCHPOINTS, TOUCHPOINT_WEIGHTS, n), None)
    block["product"] = np.where(is_cust, PRODUCTS[customers.product[cust]], None)

    base = np.select([role == "manager", role == "staff"], [5.3, 5.7], 6.0)
    level = base[:, None] + EXPECTATION_SHIFT + rng.normal(0, 0.45, (n, len(DIM_NAMES)))
    halo = 0.6 * np.where(is_cust, customers.disposition[cust], 0.3) + rng.normal(0, 0.3, n)
    gap_scale = np.select([role == "staff"], [0.35], 1.0)
    perceived = level + gap_scale[:, None] * PERCEPTION_GAP + halo[:, None]
    perceived += rng.normal(0, 0.5, perceived.shape)
    lvl_items = np.repeat(level, DIM_ITEMS, axis=1)
    per_items = np.repeat(perceived, DIM_ITEMS, axis=1)
    exp = _clip_round(lvl_items + rng.normal(0, 0.55, lvl_items.shape), 1, 7)
    per = _clip_round(per_items + rng.normal(0, 0.6, per_items.shape), 1, 7).astype(float)
    per[role == "manager"] = np.nan  # managers state what they think customers expect only
    for j, col in enumerate(EXP_COLUMNS):
        block[col] = exp[:, j]
    for j, col in enumerate(PER_COLUMNS):
        block[col] = per[:, j]

    gap = (perceived - level).mean(axis=1)
    p_pos = np.repeat(_sigmoid(1.5 * gap + 1.0)[:, None], len(THEMES), axis=1)
    lang = np.array([LANGUAGES.index(x) for x in block["language"]], dtype=np.int64)
    comment = _comments(rng, lang, 0.30, [0.20, 0.10, 0.20, 0.50, 0.0], p_pos)
    comment[~is_cust] = None
    block["comment"] = comment
    suggestion = _suggestions(rng, lang, 0.20)
    suggestion[~is_cust] = None
    block["suggestion"] = suggestion
    return block


def add_tolerance_zones(rng: np.random.Generator, df: pd.DataFrame) -> None:
    """Adequate levels and importance points for a share of the SERVQUAL customers, in place.

    A stream of its own (streams.py) so that every other column stays what the same seed
    gave before these columns existed."""
    customer = (df["survey_id"] == "servqual").to_numpy() & (
        df["respondent_role"] == "customer"
    ).to_numpy()
    n = len(df)
    zone_rows = np.flatnonzero(customer & (rng.random(n) < ZONE_SHARE))
    desired = df.loc[zone_rows, EXP_COLUMNS].to_numpy(dtype=float)
    width = np.repeat(ZONE_WIDTH, DIM_ITEMS)
    adequate = _clip_round(desired - width + rng.normal(0, 0.5, desired.shape), 1, 7)
    adequate = np.minimum(adequate, desired).astype(np.int64)
    for j, col in enumerate(ADQ_COLUMNS):
        df.loc[zone_rows, col] = adequate[:, j]

    points_rows = np.flatnonzero(customer & (rng.random(n) < IMPORTANCE_SHARE))
    shares = rng.dirichlet(20 * IMPORTANCE_MEAN, len(points_rows))
    points = rng.multinomial(100, shares).reshape(len(points_rows), len(IMPORTANCE_POINTS))
    for j, col in enumerate(IMPORTANCE_POINTS):
        df.loc[points_rows, col] = points[:, j]


def _id_dates(dates: list[dt.date], day: pd.Series) -> list[dt.date]:
    """`dates`, extended to the last day a record falls on (answers after the range end)."""
    last = int(day.max()) + 1 if len(day) else 0
    return dates + [dates[-1] + dt.timedelta(days=i) for i in range(1, last - len(dates) + 1)]


def generate_surveys(
    rng: np.random.Generator,
    dates: list[dt.date],
    scale: float,
    customers: Customers,
    tickets: pd.DataFrame,
    horizon_days: int | None = None,
    day0: int = 0,
    ids_after: dict[dt.date, int] | None = None,
) -> pd.DataFrame:
    """All responses: the export's columns plus `_day` (folder), `_t` and `_ord` (write order);
    post-ticket answers up to `horizon_days` after the first date (default: the range end).

    `dates` start `day0` days after the range's first day (the satisfaction trend counts
    from there); `ids_after` are the numbers earlier chunks gave answers of a day (ids.py).
    """
    n_days = len(dates)
    start_s = day_start(dates[0])
    lam = RESPONSES_PER_DAY * scale * daily_factors(dates, "surveys")
    rel_day = np.repeat(np.arange(n_days), rng.poisson(lam * RELATIONSHIP_SHARE))
    sq_day = np.repeat(np.arange(n_days), rng.poisson(lam * SERVQUAL_SHARE))
    blocks = [
        _relationship(rng, dates, rel_day, customers, day0),
        _post_ticket(rng, customers, tickets, start_s + (horizon_days or n_days) * DAY),
        _servqual(rng, dates, sq_day, customers, scale),
    ]
    df = pd.concat([pd.DataFrame(b) for b in blocks], ignore_index=True)
    df = df.sort_values("_t", kind="stable").reset_index(drop=True)
    df["_day"] = (df["_t"].to_numpy() - start_s) // DAY
    id_dates = _id_dates(dates, df["_day"])
    df["response_id"] = daily_ids(rng, "S", df["_day"].to_numpy(), id_dates, ids_after)
    df["submitted_at"] = format_utc(df["_t"].to_numpy())
    pii_lang = np.array([LANGUAGES.index(x) for x in df["language"]], dtype=np.int64)
    comments = df["comment"].to_numpy(dtype=object, na_value=None).copy()
    compose.add_pii(rng, comments, pii_lang, 0.02)
    df["comment"] = comments
    df = df.reindex(columns=[*SURVEYS.export_columns, "_day", "_t"])
    for col in SCORE_COLUMNS:
        df[col] = df[col].astype("Int64")
    df["_ord"] = np.arange(len(df))
    return df
