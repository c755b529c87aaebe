"""The published marts against an independent computation over the landing files.

Three weeks of generated exports are loaded in two Dagster runs (the second incremental),
with one survey response for 2025-03-25 delivered late, in the 2025-04-13 folder: further
back than the 7-day lookback. The expectations below are computed with pandas straight from
the landing files (the loader's rules re-implemented: scores out of range are quarantined,
the latest delivery of a key wins), never from the dbt models. Then `dbt build
--full-refresh` must reproduce every mart of the incremental runs.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import MARTS, ROOT, cli, rounded_select
from theme_match import keywords, themes

START, SPLIT, END = "2025-03-24", "2025-04-06", "2025-04-13"
LATE_DAY = "2025-03-25"  # the late response's own date
DEMO_DAY = "2025-04-01"
THEME_MONTH = "2025-04-01"
DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "overall_satisfaction": (1, 10)}


# ---------------------------------------------------------------- the independent side


def _landed(landing: Path, source: str) -> pd.DataFrame:
    """Every delivered row with its delivery order (folder, file name, line)."""
    frames = []
    for folder in sorted((landing / source).iterdir()):
        for path in sorted(folder.iterdir()):
            if path.suffix == ".csv":
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
            elif path.suffix == ".jsonl":
                frame = pd.read_json(path, lines=True, dtype=False) if path.stat().st_size else None
            else:
                continue
            if frame is None or frame.empty:
                continue
            frame["_folder"], frame["_file"] = folder.name, path.name
            frame["_line"] = range(len(frame))
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _latest(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The latest delivery of each key wins: later folder, then later file, then later line."""
    ordered = frame.sort_values(["_folder", "_file", "_line"], kind="stable")
    return ordered.drop_duplicates(key, keep="last")


def _surveys(landing: Path) -> pd.DataFrame:
    raw = _landed(landing, "surveys")
    ok = pd.Series(True, index=raw.index)
    for column in raw.columns:
        if column in SCORE_RANGES:
            low, high = SCORE_RANGES[column]
        elif column.startswith(("exp_", "per_", "adq_", "attr_")):
            low, high = 1, 7
        elif column.startswith("importance_"):
            low, high = 0, 100
        else:
            continue
        raw[column] = pd.to_numeric(raw[column], errors="coerce")
        ok &= raw[column].isna() | raw[column].between(low, high)
    surveys = _latest(raw[ok], "response_id")
    surveys["role"] = surveys["respondent_role"].fillna("customer")
    surveys["day"] = surveys["submitted_at"].str[:10]
    return surveys[surveys["role"] == "customer"]


def _tickets(landing: Path) -> pd.DataFrame:
    events = _latest(_landed(landing, "tickets"), "event_id")
    events["at"] = pd.to_datetime(events["event_at"], utc=True)
    created = events[events["event_type"] == "created"].sort_values("at")
    created = created.drop_duplicates("ticket_id")[["ticket_id", "at", "actor_role"]]
    replies = events[events["event_type"] == "agent_reply"].merge(
        created[["ticket_id", "at"]], on="ticket_id", suffixes=("", "_created")
    )
    replies = replies[replies["at"] >= replies["at_created"]]
    first_reply = replies.groupby("ticket_id")["at"].min().rename("first_reply_at")
    counts = events.pivot_table(
        index="ticket_id", columns="event_type", values="event_id", aggfunc="count", fill_value=0
    )
    tickets = created.set_index("ticket_id").join(first_reply).join(counts)
    tickets["day"] = tickets["at"].dt.strftime("%Y-%m-%d")
    tickets["solved"] = tickets["solved"] > 0
    tickets["one_touch"] = tickets["solved"] & (tickets["agent_reply"] == 1)
    tickets["one_touch"] &= tickets["reopened"] == 0
    # An agent who opens the ticket served the customer in that contact: no first reply time.
    by_customer = tickets["actor_role"] != "agent"
    wait = (tickets["first_reply_at"] - tickets["at"]).dt.total_seconds() / 60
    tickets["first_reply_minutes"] = wait.where(by_customer)
    return tickets


def _reviews(landing: Path) -> pd.DataFrame:
    raw = _landed(landing, "reviews")
    rating = pd.to_numeric(raw["rating"])
    top = pd.to_numeric(raw["rating_scale_max"]).fillna(5)
    published = pd.to_datetime(raw["published_at"], utc=True)
    replied = pd.to_datetime(raw["reply_at"], utc=True)
    ok = rating.between(1, top) & ~(replied < published)
    reviews = _latest(raw[ok].assign(r5=1 + (rating - 1) * 4 / (top - 1)), "review_id")
    reviews["day"] = reviews["published_at"].str[:10]
    return reviews[reviews["is_own_brand"].astype(str).str.lower() == "true"]


def _expected_daily(landing: Path) -> dict[tuple[str, str], tuple[float, int]]:
    """(kpi, day) -> (value, n) of the daily 'all' rows, from the landing files."""
    out: dict[tuple[str, str], tuple[float, int]] = {}
    surveys = _surveys(landing)
    for day, group in surveys.groupby("day"):
        out[("survey_responses", day)] = (len(group), len(group))
        nps = group["nps"].dropna()
        if len(nps):
            value = 100.0 * ((nps >= 9).sum() - (nps <= 6).sum()) / len(nps)
            out[("nps", day)] = (value, len(nps))
        csat = group["csat"].dropna()
        if len(csat):
            out[("csat_top2_share", day)] = ((csat >= 4).sum() / len(csat), len(csat))
            out[("csat_mean", day)] = (csat.mean(), len(csat))
        ces = group["ces"].dropna()
        if len(ces):
            out[("ces_mean", day)] = (ces.mean(), len(ces))
    tickets = _tickets(landing)
    for day, group in tickets.groupby("day"):
        out[("tickets_created", day)] = (len(group), len(group))
        solved = group[group["solved"]]
        if len(solved):
            out[("one_touch_rate", day)] = (solved["one_touch"].mean(), len(solved))
            out[("reopen_rate", day)] = ((solved["reopened"] > 0).mean(), len(solved))
        minutes = group["first_reply_minutes"].dropna()
        if len(minutes):
            out[("first_reply_minutes_median", day)] = (minutes.median(), len(minutes))
            out[("first_reply_minutes_p90", day)] = (minutes.quantile(0.9), len(minutes))
    for day, group in _reviews(landing).groupby("day"):
        n = len(group)
        out[("reviews", day)] = (n, n)
        out[("rating_mean", day)] = (group["r5"].mean(), n)
        out[("negative_review_share", day)] = ((group["r5"] <= 2).mean(), n)
        out[("review_reply_rate", day)] = (group["reply_at"].notna().mean(), n)
    return out


def _expected_gap5(landing: Path) -> dict[tuple[str, str], tuple[float, int]]:
    """(dimension, day) -> (mean over respondents of mean(per) - mean(exp), respondents)."""
    surveys = _surveys(landing)
    out = {}
    for dim in DIMENSIONS:
        exp = surveys.filter(regex=rf"^exp_{dim}_\d+$").mean(axis=1)
        per = surveys.filter(regex=rf"^per_{dim}_\d+$").mean(axis=1)
        diff = (per - exp).dropna()
        for day, values in diff.groupby(surveys.loc[diff.index, "day"]):
            out[(dim, day)] = (values.mean(), len(values))
    return out


def _expected_zone_and_weighted(landing: Path) -> dict[tuple[str, str, str], tuple[float, int]]:
    """(measure, dimension, day) -> (mean over customers of the gap, customers): adequacy
    (perception - adequate) and superiority (perception - desired) over the customers with
    all three levels; the weighted gap sum(w_d gap_d) / sum(w_d) over dimension 'all'."""
    surveys = _surveys(landing)
    out = {}
    gaps, weights, present = {}, {}, {}
    for dim in DIMENSIONS:
        levels = {
            kind: surveys.filter(regex=rf"^{kind}_{dim}_\d+$").mean(axis=1)
            for kind in ("exp", "per", "adq")
        }
        zone = levels["exp"].notna() & levels["per"].notna() & levels["adq"].notna()
        for measure, reference in (("servqual_adequacy", "adq"), ("servqual_superiority", "exp")):
            diff = (levels["per"] - levels[reference])[zone]
            for day, values in diff.groupby(surveys.loc[diff.index, "day"]):
                out[(measure, dim, day)] = (values.mean(), len(values))
        gaps[dim] = levels["per"] - levels["exp"]
        weights[dim] = surveys[f"importance_{dim}"]
        items = surveys.filter(regex=rf"^(exp|per|adq)_{dim}_\d+$")
        present[dim] = items.notna().any(axis=1) | weights[dim].notna()
    gap, weight, has = (pd.DataFrame(d) for d in (gaps, weights, present))
    total = weight.sum(axis=1, min_count=1)
    counted = (
        (weight.notna() | ~has).all(axis=1)
        & (total > 0)
        & ((weight.fillna(0) == 0) | gap.notna()).all(axis=1)
    )
    weighted = ((weight * gap).sum(axis=1) / total)[counted]
    for day, values in weighted.groupby(surveys.loc[weighted.index, "day"]):
        out[("servqual_weighted", "all", day)] = (values.mean(), len(values))
    return out


# ---------------------------------------------------------------- the pipeline side


def _query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _land_late_response(landing: Path) -> None:
    """A detractor's answer of 2025-03-25 delivered in the 2025-04-13 folder."""
    day_file = next((landing / "surveys" / LATE_DAY).glob("*.csv"))
    rows = pd.read_csv(day_file, dtype=str, keep_default_na=False)
    late = rows[(rows["survey_id"] == "relationship") & (rows["submitted_at"] >= LATE_DAY)].head(1)
    late = late.assign(response_id="LATE-0001", nps="0")
    late.to_csv(landing / "surveys" / END / "late_responses.csv", index=False)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict:
    data_dir = tmp_path_factory.mktemp("marts")
    cli(data_dir, "generate", "--start", START, "--days", "21", "--scale", "0.2", "--seed", "3")
    landing = data_dir / "landing"
    _land_late_response(landing)
    published = data_dir / "published" / "cx.duckdb"
    nps_late_day = (
        "SELECT value, n FROM marts.mart_cx_kpis WHERE grain = 'day' AND kpi = 'nps' "
        f"AND slice_name = 'all' AND period_start = DATE '{LATE_DAY}'"
    )
    cli(data_dir, "load", "--start", START, "--end", SPLIT)
    before = _query(published, nps_late_day)[0]
    # The second window is incremental: its models recompute from int_incremental_window.
    cli(data_dir, "load", "--start", "2025-04-07", "--end", END)
    after = _query(published, nps_late_day)[0]
    return {"data_dir": data_dir, "landing": landing, "before": before, "after": after}


def _mart_value(db: Path, kpi: str, day: str) -> tuple[float, int] | None:
    rows = _query(
        db,
        "SELECT value, n FROM marts.mart_cx_kpis WHERE grain = 'day' AND slice_name = 'all' "
        "AND kpi = ? AND period_start = CAST(? AS DATE)",
        [kpi, day],
    )
    return rows[0] if rows else None


def test_daily_kpis_equal_the_independent_computation(loaded):
    published = loaded["data_dir"] / "published" / "cx.duckdb"
    expected = _expected_daily(loaded["landing"])
    kpis = {kpi for kpi, _ in expected}
    assert kpis >= {"nps", "csat_top2_share", "one_touch_rate", "first_reply_minutes_median"}
    for (kpi, day), (value, n) in sorted(expected.items()):
        got = _mart_value(published, kpi, day)
        assert got is not None, (kpi, day)
        assert got[1] == n, (kpi, day, got, n)
        assert got[0] == pytest.approx(value, rel=1e-9, abs=1e-9), (kpi, day)
    # One demo day side by side (shown with `pytest -s`).
    print(f"\n{DEMO_DAY}: kpi, mart value (n), independent value (n)")
    for kpi in sorted(kpis):
        got = _mart_value(published, kpi, DEMO_DAY)
        print(
            f"  {kpi}: {got[0]:.6f} ({got[1]})  {expected[(kpi, DEMO_DAY)][0]:.6f} "
            f"({expected[(kpi, DEMO_DAY)][1]})"
        )


def test_gap5_per_dimension_equals_the_independent_computation(loaded):
    published = loaded["data_dir"] / "published" / "cx.duckdb"
    expected = _expected_gap5(loaded["landing"])
    rows = _query(
        published,
        "SELECT dimension, CAST(period_start AS VARCHAR), gap, n, measured_value - "
        "reference_value FROM marts.mart_service_gaps WHERE gap_number = 5 AND grain = 'day' "
        "AND segment = 'all' AND measure = 'servqual_perception'",
    )
    got = {(dim, day): (gap, n, diff) for dim, day, gap, n, diff in rows}
    assert set(got) == set(expected)
    for key, (value, n) in expected.items():
        assert got[key][1] == n, key
        assert got[key][0] == pytest.approx(value, abs=1e-9), key
        # measured (mean perception) minus reference (mean expectation) is the same gap.
        assert got[key][2] == pytest.approx(value, abs=1e-9), key
    print(f"\ngap 5 on {DEMO_DAY}: dimension, mart gap (n), independent gap (n)")
    for dim in DIMENSIONS:
        mart, indep = got[(dim, DEMO_DAY)], expected[(dim, DEMO_DAY)]
        print(f"  {dim}: {mart[0]:.6f} ({mart[1]})  {indep[0]:.6f} ({indep[1]})")


def test_zone_of_tolerance_and_weighted_gap_equal_the_independent_computation(loaded):
    published = loaded["data_dir"] / "published" / "cx.duckdb"
    expected = _expected_zone_and_weighted(loaded["landing"])
    rows = _query(
        published,
        "SELECT measure, dimension, CAST(period_start AS VARCHAR), gap, n, measured_value - "
        "reference_value FROM marts.mart_service_gaps WHERE gap_number = 5 AND grain = 'day' "
        "AND segment = 'all' AND measure <> 'servqual_perception'",
    )
    got = {(measure, dim, day): (gap, n, diff) for measure, dim, day, gap, n, diff in rows}
    assert {measure for measure, _, _ in expected} == {
        "servqual_adequacy",
        "servqual_superiority",
        "servqual_weighted",
    }
    assert set(got) == set(expected)
    for key, (value, n) in expected.items():
        assert got[key][1] == n, key
        assert got[key][0] == pytest.approx(value, abs=1e-9), key
        assert got[key][2] == pytest.approx(value, abs=1e-9), key
    print(f"\nzone of tolerance on {DEMO_DAY}: measure, dimension, mart gap (n), independent")
    for key in sorted(k for k in expected if k[2] == DEMO_DAY):
        print(f"  {key[0]} {key[1]}: {got[key][0]:.6f} ({got[key][1]})  {expected[key][0]:.6f}")


def test_late_response_moves_its_own_day(loaded):
    before_value, before_n = loaded["before"]
    after_value, after_n = loaded["after"]
    assert after_n == before_n + 1
    # A detractor more: NPS = 100 (P - D) / n moves to 100 (P - D - 1) / (n + 1).
    assert after_value == pytest.approx((before_value * before_n - 100.0) / (before_n + 1))
    expected_value, expected_n = _expected_daily(loaded["landing"])[("nps", LATE_DAY)]
    assert (after_n, after_value) == (expected_n, pytest.approx(expected_value))
    # It moved its own day, not the day of the folder it arrived in.
    warehouse = loaded["data_dir"] / "warehouse" / "cx.duckdb"
    folder, day = _query(
        warehouse,
        "SELECT CAST(delivered_partition AS VARCHAR), CAST(submitted_date AS VARCHAR) "
        "FROM staging.stg_survey_responses WHERE response_id = 'LATE-0001'",
    )[0]
    assert (folder, day) == (END, LATE_DAY)


def test_every_mart_is_published_with_rows(loaded):
    published = loaded["data_dir"] / "published" / "cx.duckdb"
    tables = {
        name: count
        for name, count in _query(
            published,
            "SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'marts'",
        )
    }
    for mart in MARTS:
        assert mart in tables, mart
        assert _query(published, f"SELECT count(*) FROM marts.{mart}")[0][0] > 0, mart
    languages = {
        r[0] for r in _query(published, "SELECT DISTINCT language FROM marts.mart_review_themes")
    }
    assert languages >= {"en", "pt", "es", "hu", "lt", "de"}
    themes = {
        r[0] for r in _query(published, "SELECT DISTINCT theme FROM marts.mart_review_themes")
    }
    assert themes == {"product", "price", "channel", "service", "competition"}
    gaps = {
        r[0] for r in _query(published, "SELECT DISTINCT gap_number FROM marts.mart_service_gaps")
    }
    assert gaps == {1, 2, 3, 4, 5}


def test_full_refresh_gives_identical_marts(loaded, tmp_path):
    data_dir = loaded["data_dir"]
    warehouse = data_dir / "warehouse" / "cx.duckdb"
    incremental = tmp_path / "incremental.duckdb"
    shutil.copy(warehouse, incremental)
    dbt = Path(sys.executable).parent / "dbt"
    project = ROOT / "dbt_project"
    completed = subprocess.run(
        [
            str(dbt) if dbt.exists() else "dbt",
            "build",
            "--full-refresh",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(tmp_path / "dbt_target"),
        ],
        env={**os.environ, "CX_DATA_DIR": str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-4000:]
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{incremental}' AS inc (READ_ONLY)")
        con.execute(f"ATTACH '{warehouse}' AS full_refresh (READ_ONLY)")
        for mart in MARTS:
            inc_sql = rounded_select(con, "inc", mart)
            full_sql = rounded_select(con, "full_refresh", mart)
            only_inc = con.execute(f"SELECT count(*) FROM ({inc_sql} EXCEPT ALL {full_sql})")
            only_inc = only_inc.fetchone()[0]
            only_full = con.execute(f"SELECT count(*) FROM ({full_sql} EXCEPT ALL {inc_sql})")
            only_full = only_full.fetchone()[0]
            rows = con.execute(f"SELECT count(*) FROM inc.marts.{mart}").fetchone()[0]
            assert rows > 0, mart
            assert (only_inc, only_full) == (0, 0), mart
    finally:
        con.close()


def test_nps_interval_is_the_adjusted_wald(loaded):
    published = loaded["data_dir"] / "published" / "cx.duckdb"
    value, n, low, high, numerator = _query(
        published,
        "SELECT value, n, ci_low, ci_high, numerator FROM marts.mart_cx_kpis WHERE grain = "
        "'week' AND kpi = 'nps' AND slice_name = 'all' AND period_start = DATE '2025-03-31'",
    )[0]
    promoters, detractors = (
        _query(
            published,
            f"SELECT value FROM marts.mart_cx_kpis WHERE grain = 'week' AND kpi = '{k}' "
            "AND slice_name = 'all' AND period_start = DATE '2025-03-31'",
        )[0][0]
        for k in ("nps_promoters", "nps_detractors")
    )
    # Rocks (2016): 3/4 promoter, 3/4 detractor and 3/2 passive added (docs/methodology.md).
    p, d = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    half = 1.96 * math.sqrt((p + d - (p - d) ** 2) / (n + 3))
    assert numerator == promoters - detractors
    assert value == pytest.approx(100 * (promoters - detractors) / n)
    assert (low, high) == (pytest.approx(100 * (p - d - half)), pytest.approx(100 * (p - d + half)))


def _expected_survey_themes(landing: Path, month: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(source, theme) -> (mentions, feedback items) of the customers' comments and
    suggestions submitted in the month, from the landing files and the seed alone."""
    surveys = _surveys(landing)
    surveys = surveys[surveys["day"].str[:7] == month[:7]]
    brands = pd.read_csv(ROOT / "dbt_project" / "seeds" / "brands.csv")
    reviewed = set(_landed(landing, "reviews")["brand"])
    others = tuple(b for b in brands.loc[~brands["is_own"], "brand"] if b in reviewed)
    seed = keywords()
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for source, field in (("survey_comment", "comment"), ("suggestion", "suggestion")):
        texts = surveys[surveys[field].notna()]
        found = [
            themes(t, str(lang).lower(), seed, others)
            for t, lang in zip(texts[field], texts["language"].fillna("unknown"), strict=True)
        ]
        for theme in {t for f in found for t in f}:
            out[(source, theme)] = (sum(theme in f for f in found), len(texts))
    return out


def test_feedback_theme_counts_of_a_month_equal_the_independent_computation(loaded):
    published = loaded["data_dir"] / "published" / "cx.duckdb"
    expected = _expected_survey_themes(loaded["landing"], THEME_MONTH)
    rows = _query(
        published,
        "SELECT source, theme, mentions, feedback_items FROM marts.mart_feedback_themes "
        "WHERE grain = 'month' AND period_start = CAST(? AS DATE) AND source <> 'review' "
        "AND segment = 'all' AND channel = 'all' AND language = 'all'",
        [THEME_MONTH],
    )
    got = {(source, theme): (m, n) for source, theme, m, n in rows}
    assert {t for _, t in expected} == {"product", "price", "channel", "service", "competition"}
    assert got == expected
    print(f"\nfeedback themes of {THEME_MONTH[:7]}: source, theme, mentions / items")
    for key in sorted(expected):
        print(f"  {key[0]} {key[1]}: {got[key][0]} / {got[key][1]}")
