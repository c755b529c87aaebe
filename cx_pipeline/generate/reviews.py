"""Public reviews of the own brand and its competitors, with brand replies.

A review is delivered on its publication day; when the brand replies on a later day the
platform export carries the review again on that day with the reply filled in.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cx_pipeline.ingest.canonical import REVIEWS

from . import compose
from .entities import BRANDS, OWN_BRAND, PRODUCTS
from .ids import daily_ids
from .texts import LANGUAGES
from .timeline import (
    DAY,
    HOUR,
    BusinessClock,
    daily_factors,
    day_start,
    format_utc,
    seconds_of_day,
)

REVIEWS_PER_DAY = 400.0

BRAND_WEIGHTS = np.array([0.35, 0.20, 0.17, 0.15, 0.13])
# Latent rating level per brand and its drift per 90 days: the own brand improves slowly,
# Fabrikam declines.
BRAND_LEVEL = np.array([0.45, 0.85, 0.70, 0.05, 0.65])
BRAND_TREND_PER_90D = np.array([0.35, 0.0, -0.70, 0.05, 0.10])
RATING_CUTS = np.array([-1.3, -0.5, 0.2, 1.0])
# Probability that a brand answers a positive / mixed / negative review.
OWN_REPLY_P = np.array([0.42, 0.72, 0.93])
COMPETITOR_REPLY_P = np.array([0.12, 0.25, 0.45])
COMPETITOR_REPLY_FACTOR = np.array([1.0, 1.2, 0.6, 0.8, 1.0])

PLATFORMS = np.array(["trustpilot", "google", "app_store", "reclameaqui"], dtype=object)
PLATFORM_SCALE = np.array([5, 5, 5, 10])
GOOGLE, APP_STORE, RECLAMEAQUI = 1, 2, 3

# (location, language, UTC offset hours, weight)
LOCATIONS = [
    ("Lisboa, PT", "pt", 0, 5),
    ("Porto, PT", "pt", 0, 3),
    ("São Paulo, BR", "pt", -3, 6),
    ("Rio de Janeiro, BR", "pt", -3, 3),
    ("Madrid, ES", "es", 1, 5),
    ("Barcelona, ES", "es", 1, 3),
    ("Ciudad de México, MX", "es", -6, 4),
    ("Buenos Aires, AR", "es", -3, 3),
    ("Budapest, HU", "hu", 1, 6),
    ("Debrecen, HU", "hu", 1, 2),
    ("Vilnius, LT", "lt", 2, 5),
    ("Kaunas, LT", "lt", 2, 3),
    ("Berlin, DE", "de", 1, 4),
    ("München, DE", "de", 1, 3),
    ("London, UK", "en", 0, 8),
    ("Dublin, IE", "en", 0, 3),
    ("New York, US", "en", -5, 7),
    ("Toronto, CA", "en", -5, 3),
]
_LOC_NAME = np.array([x[0] for x in LOCATIONS], dtype=object)
_LOC_LANG = np.array([LANGUAGES.index(x[1]) for x in LOCATIONS])
_LOC_OFFSET = np.array([x[2] for x in LOCATIONS])
_LOC_P = np.array([x[3] for x in LOCATIONS], dtype=float) / sum(x[3] for x in LOCATIONS)
_LOC_BRAZIL = np.array([x[0].endswith(", BR") for x in LOCATIONS])
EN = LANGUAGES.index("en")


def generate_reviews(
    rng: np.random.Generator,
    dates: list[dt.date],
    scale: float,
    clock: BusinessClock,
    day0: int = 0,
) -> pd.DataFrame:
    """Reviews published on `dates`, `day0` days after the range's first day (the brands'
    drift counts from there): the export's columns, `_day` (folder), `_ord` (write order)."""
    n_days = len(dates)
    start_s = day_start(dates[0])
    lam = REVIEWS_PER_DAY * scale * daily_factors(dates, "reviews")
    day = np.repeat(np.arange(n_days), rng.poisson(lam))
    n = len(day)

    brand = rng.choice(len(BRANDS), size=n, p=BRAND_WEIGHTS)
    loc = rng.choice(len(LOCATIONS), size=n, p=_LOC_P)
    lang = np.where(rng.random(n) < 0.12, EN, _LOC_LANG[loc])
    published = start_s + day * DAY + seconds_of_day(rng, _LOC_OFFSET[loc])
    platform = rng.choice(3, size=n, p=[0.42, 0.43, 0.15])
    platform[_LOC_BRAZIL[loc] & (rng.random(n) < 0.3)] = RECLAMEAQUI

    level = BRAND_LEVEL[brand] + BRAND_TREND_PER_90D[brand] * (day0 + day) / 90.0
    stars = 1 + (level[:, None] + rng.logistic(0, 1, n)[:, None] > RATING_CUTS).sum(axis=1)
    scale_max = PLATFORM_SCALE[platform]
    rating = np.where(scale_max == 10, np.clip(2 * stars - (rng.random(n) < 0.5), 1, 10), stars)
    sentiment = np.select([stars >= 4, stars == 3], [0, 1], 2)

    title = compose.titles(rng, lang, sentiment)
    title[platform == GOOGLE] = None  # Google reviews have no title
    n_phrases = compose.phrase_counts(rng, n)
    weights = np.where(
        (platform == APP_STORE)[:, None],
        [0.15, 0.10, 0.55, 0.15, 0.05],
        [0.28, 0.15, 0.15, 0.32, 0.10],
    )
    themes = compose.choose_themes(rng, weights, n_phrases)
    positive = np.where(
        (sentiment == 1)[:, None], rng.random(themes.shape) < 0.5, (sentiment == 0)[:, None]
    )
    other = BRANDS[(brand + rng.integers(1, len(BRANDS), n)) % len(BRANDS)]
    text = compose.compose(rng, lang, themes, positive, other)
    compose.add_pii(rng, text, lang, 0.02)
    first, _, author = compose.person_names(rng, lang)
    product = PRODUCTS[rng.choice(len(PRODUCTS), size=n)]

    own = BRANDS[brand] == OWN_BRAND
    p_reply = np.where(
        own, OWN_REPLY_P[sentiment], COMPETITOR_REPLY_P[sentiment] * COMPETITOR_REPLY_FACTOR[brand]
    )
    replied = rng.random(n) < p_reply
    # The own brand answers from its desk in working hours; competitors' timing is unknown,
    # so their delays run on the calendar and are longer.
    median_delay = np.where(own, 3 * HOUR, 22 * HOUR)
    delay = np.clip(rng.lognormal(np.log(median_delay), 1.0), 600, 20 * DAY).astype(np.int64)
    reply_t = np.where(own, clock.add(published, delay), published + delay)
    reply_text = compose.replies(rng, lang, sentiment == 0, first, BRANDS[brand])

    base = pd.DataFrame(
        {
            "_t": published,
            "_day": day,
            "platform": PLATFORMS[platform],
            "brand": BRANDS[brand],
            "is_own_brand": own,
            "published_at": format_utc(published),
            "rating": rating.astype(np.int64),
            "rating_scale_max": scale_max.astype(np.int64),
            "title": title,
            "text": text,
            "language": np.array(LANGUAGES, dtype=object)[lang],
            "author": author,
            "product": product,
            "location": _LOC_NAME[loc],
            "_reply_t": np.where(replied, reply_t, -1),
            "_reply_text": np.where(replied, reply_text, None),
        }
    )
    base = base.sort_values("_t", kind="stable").reset_index(drop=True)
    base.insert(0, "review_id", daily_ids(rng, "RV", base["_day"].to_numpy(), dates))
    return base


def deliveries(
    base: pd.DataFrame, dates: list[dt.date], horizon_days: int | None = None
) -> pd.DataFrame:
    """Records as delivered per day: reply fields appear only once the reply exists (up to
    `horizon_days` after the first date; default the range end)."""
    n_days = horizon_days or len(dates)
    start_s = day_start(dates[0])
    reply_t = base["_reply_t"].to_numpy()
    reply_day = np.where(reply_t >= 0, (reply_t - start_s) // DAY, -1)
    pub_day = base["_day"].to_numpy()
    same_day = (reply_t >= 0) & (reply_day == pub_day)
    later = (reply_t >= 0) & (reply_day > pub_day) & (reply_day < n_days)

    first = base.copy()
    first["reply_at"] = np.where(same_day, format_utc(np.maximum(reply_t, 0)), None)
    first["reply_text"] = np.where(same_day, base["_reply_text"].to_numpy(object), None)
    first["_sort_t"] = base["_t"].to_numpy()

    second = base[later].copy()
    second["reply_at"] = format_utc(reply_t[later])
    second["reply_text"] = second["_reply_text"].to_numpy(object)
    second["_day"] = reply_day[later]
    second["_sort_t"] = reply_t[later]

    out = pd.concat([first, second], ignore_index=True)
    out = out.sort_values(["_day", "_sort_t"], kind="stable").reset_index(drop=True)
    out["_ord"] = np.arange(len(out))
    return out[[*REVIEWS.export_columns, "_day", "_ord"]]
