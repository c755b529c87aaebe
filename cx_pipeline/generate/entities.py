"""Reference data and the shared populations: customers and support agents.

One customer pool feeds tickets and surveys so that a post-ticket survey's respondent is the
ticket's customer with the same segment, region and language.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .texts import LANGUAGES

REGIONS = np.array(["EU-North", "EU-South", "EU-East", "LATAM", "NA"], dtype=object)
REGION_WEIGHTS = np.array([0.20, 0.25, 0.20, 0.20, 0.15])
# Rough local offsets from UTC, only used to place activity in the respondent's daytime.
REGION_UTC_OFFSET_H = np.array([1, 0, 2, -3, -5])
REGION_VIP_SHARE = np.array([0.13, 0.08, 0.07, 0.07, 0.15])

# Language mix per region, columns in texts.LANGUAGES order (en, pt, es, hu, lt, de).
REGION_LANGUAGE_MIX = np.array(
    [
        [0.68, 0.00, 0.00, 0.00, 0.12, 0.20],
        [0.15, 0.45, 0.40, 0.00, 0.00, 0.00],
        [0.15, 0.00, 0.00, 0.45, 0.35, 0.05],
        [0.05, 0.50, 0.45, 0.00, 0.00, 0.00],
        [0.88, 0.02, 0.10, 0.00, 0.00, 0.00],
    ]
)
# Key accounts are often served in English regardless of country.
VIP_ENGLISH_SHARE = 0.3

PRODUCTS = np.array(
    ["Home Router", "Mobile Plan", "Smart Thermostat", "Streaming Box", "Security Camera"],
    dtype=object,
)
PRODUCT_WEIGHTS = np.array([0.28, 0.30, 0.14, 0.16, 0.12])

OWN_BRAND = "Northwind"
BRANDS = np.array([OWN_BRAND, "Contoso", "Fabrikam", "Tailspin", "Globex"], dtype=object)

SEGMENTS = np.array(["standard", "vip"], dtype=object)


@dataclass(frozen=True)
class Customers:
    ids: np.ndarray  # object array of "C<7 digits>"
    vip: np.ndarray  # bool
    region: np.ndarray  # index into REGIONS
    language: np.ndarray  # index into LANGUAGES
    product: np.ndarray  # index into PRODUCTS (main product owned)
    disposition: np.ndarray  # float, persistent mood so repeat answers correlate
    activity_cdf: np.ndarray  # cumulative sampling weights: a few customers are very active

    @property
    def size(self) -> int:
        return len(self.ids)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.searchsorted(self.activity_cdf, rng.random(n), side="right")


def make_customers(rng: np.random.Generator, scale: float) -> Customers:
    n = max(500, int(round(40_000 * scale)))
    region = rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS)
    vip = rng.random(n) < REGION_VIP_SHARE[region]
    # Inverse-CDF per row over the region's language mix, vectorised.
    lang_cdf = np.cumsum(REGION_LANGUAGE_MIX, axis=1)
    lang_cdf /= lang_cdf[:, -1:]
    language = (rng.random(n)[:, None] > lang_cdf[region]).sum(axis=1)
    language[vip & (rng.random(n) < VIP_ENGLISH_SHARE)] = LANGUAGES.index("en")
    product = rng.choice(len(PRODUCTS), size=n, p=PRODUCT_WEIGHTS)
    disposition = rng.normal(0.0, 0.6, n)
    activity = rng.lognormal(0.0, 1.1, n) * np.where(vip, 1.25, 1.0)
    cdf = np.cumsum(activity)
    cdf /= cdf[-1]
    ids = np.array([f"C{1_000_001 + i}" for i in range(n)], dtype=object)
    return Customers(ids, vip, region, language, product, disposition, cdf)


@dataclass(frozen=True)
class Agents:
    ids: np.ndarray  # object array of "A001", ...
    speed: np.ndarray  # multiplier on reply delays (<1 is faster)
    quality: np.ndarray  # shifts one-touch resolution, reopen risk and satisfaction
    capacity: np.ndarray  # share of assigned tickets

    @property
    def size(self) -> int:
        return len(self.ids)


def make_agents(rng: np.random.Generator, scale: float) -> Agents:
    n = max(3, int(round(25 * scale)))
    width = max(3, len(str(n)))
    ids = np.array([f"A{i + 1:0{width}d}" for i in range(n)], dtype=object)
    speed = rng.lognormal(0.0, 0.35, n)
    quality = rng.normal(0.0, 0.5, n)
    capacity = rng.uniform(0.6, 1.4, n)
    return Agents(ids, speed, quality, capacity / capacity.sum())


def employee_ids(n: int) -> np.ndarray:
    """Staff and managers answering SERVQUAL are employees, not customers: own id space."""
    return np.array([f"E{1001 + i}" for i in range(n)], dtype=object)
