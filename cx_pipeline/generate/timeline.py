"""Time handling: daily volume factors, time of day, support-desk business hours.

All instants are int64 seconds since the Unix epoch (UTC); they are formatted only when written.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

DAY = 86_400
HOUR = 3_600
MINUTE = 60

_EPOCH = dt.date(1970, 1, 1)

# Monday first. Support and surveys follow the working week; people write reviews any day.
_WEEKDAY = {
    "tickets": np.array([1.30, 1.10, 1.05, 1.00, 0.95, 0.55, 0.45]),
    "surveys": np.array([1.25, 1.10, 1.05, 1.00, 0.95, 0.60, 0.50]),
    "reviews": np.array([1.05, 1.00, 0.98, 0.97, 0.95, 1.02, 1.03]),
}

# Relative activity by local hour; peaks late morning and mid afternoon.
_HOURLY = np.array(
    [0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.0, 1.8, 2.4, 2.6, 2.5]
    + [2.2, 2.4, 2.5, 2.4, 2.2, 2.0, 1.8, 1.7, 1.6, 1.4, 1.0, 0.6]
)
_HOURLY_P = _HOURLY / _HOURLY.sum()

# Portuguese fixed-date public holidays: the Lisbon desk is closed.
PT_HOLIDAYS = ((1, 1), (4, 25), (5, 1), (6, 10), (8, 15), (10, 5), (11, 1), (12, 1), (12, 8))
PT_HOLIDAYS += ((12, 25),)


def day_start(day: dt.date) -> int:
    return (day - _EPOCH).days * DAY


def _raw_seasonality(dates: list[dt.date]) -> np.ndarray:
    out = np.ones(len(dates))
    for i, d in enumerate(dates):
        doy = d.timetuple().tm_yday
        out[i] += 0.35 * np.exp(-0.5 * ((doy - 333) / 9.0) ** 2)
        out[i] += 0.25 * np.exp(-0.5 * ((doy - 350) / 7.0) ** 2)
        out[i] += 0.15 * np.exp(-0.5 * ((doy - 8) / 5.0) ** 2)
        if (d.month, d.day) in ((12, 25), (1, 1)):
            out[i] *= 0.45
        elif (d.month, d.day) in ((12, 24), (12, 31)):
            out[i] *= 0.75
    return out


# Normalised so that a whole year averages the nominal daily volume.
_YEAR_MEAN = _raw_seasonality(
    [dt.date(2023, 1, 1) + dt.timedelta(days=i) for i in range(365)]
).mean()


def seasonality(dates: list[dt.date]) -> np.ndarray:
    """Black Friday / Cyber Monday peak, pre-Christmas rush, post-holiday returns, quiet days."""
    return _raw_seasonality(dates) / _YEAR_MEAN


def daily_factors(
    dates: list[dt.date], kind: str, growth_per_90d: float = 0.0, day0: int = 0
) -> np.ndarray:
    """Volume factor per date; the growth counts from the range's first day, `day0` days
    before `dates[0]` (a long range is generated in chunks of days)."""
    weekday = _WEEKDAY[kind]
    weekday = weekday / weekday.mean()
    wd = np.array([weekday[d.weekday()] for d in dates])
    trend = 1.0 + growth_per_90d * (day0 + np.arange(len(dates))) / 90.0
    return wd * seasonality(dates) * trend


def seconds_of_day(rng: np.random.Generator, utc_offset_h: np.ndarray) -> np.ndarray:
    """Second of the UTC day for events that follow the actor's local daily rhythm.

    Wrapping around midnight keeps every event on the UTC day it was counted for.
    """
    n = len(utc_offset_h)
    local_hour = rng.choice(24, size=n, p=_HOURLY_P)
    utc_hour = (local_hour - utc_offset_h) % 24
    return utc_hour * HOUR + rng.integers(0, HOUR, n)


def format_utc(seconds: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(
        np.asarray(seconds, dtype="int64").astype("datetime64[s]"), unit="s", timezone="UTC"
    ).astype(object)


class BusinessClock:
    """Working time of the support desk: weekdays 09:00-17:00 Europe/Lisbon, holidays off.

    Converts instants to cumulative business seconds and back, so adding business time to a
    whole array of instants is two searchsorted calls instead of a per-ticket loop.
    """

    def __init__(
        self,
        first_day: dt.date,
        last_day: dt.date,
        tz: str = "Europe/Lisbon",
        open_hour: int = 9,
        close_hour: int = 17,
        holidays: tuple[tuple[int, int], ...] = PT_HOLIDAYS,
    ) -> None:
        zone = ZoneInfo(tz)
        opens, closes = [], []
        d = first_day
        while d <= last_day:
            if d.weekday() < 5 and (d.month, d.day) not in holidays:
                opens.append(int(dt.datetime.combine(d, dt.time(open_hour), zone).timestamp()))
                closes.append(int(dt.datetime.combine(d, dt.time(close_hour), zone).timestamp()))
            d += dt.timedelta(days=1)
        self.open = np.array(opens, dtype=np.int64)
        self.length = np.array(closes, dtype=np.int64) - self.open
        self.cum = np.concatenate([[0], np.cumsum(self.length)[:-1]]).astype(np.int64)

    def to_business(self, t: np.ndarray) -> np.ndarray:
        i = np.searchsorted(self.open, t, side="right") - 1
        ic = np.clip(i, 0, None)
        within = np.clip(t - self.open[ic], 0, self.length[ic])
        return np.where(i < 0, 0, self.cum[ic] + within)

    def from_business(self, b: np.ndarray) -> np.ndarray:
        j = np.searchsorted(self.cum, b, side="right") - 1
        return self.open[j] + (b - self.cum[j])

    def add(self, t: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Instant reached after working `seconds` (> 0) from t; out of hours waits for opening."""
        return self.from_business(self.to_business(t) + np.asarray(seconds, dtype=np.int64))

    def is_open(self, t: np.ndarray) -> np.ndarray:
        i = np.searchsorted(self.open, t, side="right") - 1
        ic = np.clip(i, 0, None)
        return (i >= 0) & (t < self.open[ic] + self.length[ic])
