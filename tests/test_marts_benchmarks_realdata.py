"""mart_benchmarks on real reviews: Trustpilot pages of ten pet insurers, one of them set as
the own brand (CX_OWN_BRAND), checked against pandas over the export files. Skipped, with a
message, where ../shared/realdata is absent."""

from __future__ import annotations

import math
import shutil

import duckdb
import pandas as pd
import pytest
from conftest import REALDATA, cli

TRUSTPILOT = REALDATA / "reviews" / "trustpilot_pet_insurance_en"
DAY = "2024-04-05"  # the landing folder; the reviews inside span 2015-2024
MONTH = "2024-03"
OWN, RIVAL = "Lemonade", "ASPCA"
FILE_OF = {"Lemonade": "lemonade_reviews.csv", "ASPCA": "aspca_reviews.csv"}

pytestmark = pytest.mark.skipif(
    not TRUSTPILOT.is_dir(), reason=f"real exports not found at {TRUSTPILOT} (shared/realdata)"
)


def _month(brand: str) -> pd.Series:
    """Ratings of the brand's reviews published in MONTH (UTC), from the export itself."""
    frame = pd.read_csv(TRUSTPILOT / FILE_OF[brand], dtype={"rating": float})
    frame = frame.drop_duplicates("id", keep="last")
    return frame.loc[frame["published"].str[:7] == MONTH, "rating"]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("trustpilot")
    folder = data_dir / "landing" / "reviews" / DAY
    folder.mkdir(parents=True)
    for f in sorted(TRUSTPILOT.glob("*.csv")):
        # The built-in trustpilot_reviews profile is chosen by a file name with "trustpilot".
        # copies: the landing folder refuses symbolic links
        shutil.copyfile(f, folder / f"trustpilot_{f.name}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CX_OWN_BRAND", OWN)
        cli(data_dir, "load", "--date", DAY)
    con = duckdb.connect(str(data_dir / "published" / "cx.duckdb"), read_only=True)
    yield con
    con.close()


def _rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_own_brand_against_nine_insurers(published):
    rows = _rows(
        published,
        "SELECT benchmark, own_brand, industry, own_value, own_n, benchmark_value, benchmark_n, "
        "rank_among_peers, peers FROM marts.mart_benchmarks WHERE grain = 'month' "
        "AND period_start = ? AND kpi = 'rating_mean' AND comparison = 'competitor'",
        [f"{MONTH}-01"],
    )
    assert len(rows) == 9
    assert {r[1] for r in rows} == {OWN} and {r[2] for r in rows} == {"pet_insurance"}
    own = _month(OWN)
    assert {r[4] for r in rows} == {len(own)}
    assert rows[0][3] == pytest.approx(own.mean())
    rival = next(r for r in rows if r[0] == RIVAL)
    assert (rival[5], rival[6]) == (pytest.approx(_month(RIVAL).mean()), len(_month(RIVAL)))
    values = [r[5] for r in rows]
    assert rows[0][7] == 1 + sum(v > own.mean() for v in values) and rows[0][8] == 10
    median = _rows(
        published,
        "SELECT benchmark_value FROM marts.mart_benchmarks WHERE grain = 'month' "
        "AND period_start = ? AND kpi = 'rating_mean' AND comparison = 'competitor_median'",
        [f"{MONTH}-01"],
    )
    assert median[0][0] == pytest.approx(pd.Series(values).median())


def test_negative_share_difference_is_tested_with_a_pooled_z(published):
    own, rival = _month(OWN), _month(RIVAL)
    k1, n1, k2, n2 = (own <= 2).sum(), len(own), (rival <= 2).sum(), len(rival)
    pooled = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = math.erfc(abs(z) / math.sqrt(2))
    test, statistic, p_value, q_value, significant = _rows(
        published,
        "SELECT test, statistic, p_value, q_value, is_significant FROM marts.mart_benchmarks "
        "WHERE grain = 'month' AND period_start = ? AND kpi = 'negative_review_share' "
        "AND comparison = 'competitor' AND benchmark = ?",
        [f"{MONTH}-01", RIVAL],
    )[0]
    assert test == "two_proportion_z"
    assert statistic == pytest.approx(z)
    assert p_value == pytest.approx(p, rel=1e-9)
    # Significance is decided on the Benjamini-Hochberg q of the month's competitor tests.
    assert p_value <= q_value <= 1
    assert significant == (q_value < 0.05)


def test_industry_reference_is_labelled_illustrative(published):
    rows = _rows(
        published,
        "SELECT DISTINCT is_illustrative FROM marts.mart_benchmarks "
        "WHERE comparison = 'industry_reference'",
    )
    assert rows == [(True,)]


def test_review_themes_of_the_insurers(published):
    themes = dict(
        _rows(
            published,
            "SELECT theme, sum(reviews) FROM marts.mart_review_themes WHERE grain = 'month' "
            "AND brand = ? GROUP BY theme",
            [OWN],
        )
    )
    assert set(themes) == {"product", "price", "channel", "service", "competition"}
    total = _rows(
        published,
        "SELECT sum(value) FROM marts.mart_cx_kpis WHERE grain = 'month' AND kpi = 'reviews' "
        "AND slice_name = 'brand' AND slice_value = ?",
        [OWN],
    )[0][0]
    assert total == 1302
    assert max(themes.values()) <= total
