"""Tests of the synthetic landing-file generator (cx_pipeline.generate)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from cx_pipeline.generate import generate

START = dt.date(2024, 11, 25)
LANGS = {"en", "pt", "es", "hu", "lt"}

SERVQUAL = {"tangibles": 4, "reliability": 5, "responsiveness": 4, "assurance": 4, "empathy": 5}
SURVEY_COLUMNS = (
    "response_id,survey_id,submitted_at,respondent_id,respondent_role,channel,touchpoint,"
    "segment,region,product,ticket_id,language,nps,csat,ces,overall_satisfaction"
).split(",")
SURVEY_COLUMNS += [f"exp_{d}_{i}" for d, k in SERVQUAL.items() for i in range(1, k + 1)]
SURVEY_COLUMNS += [f"per_{d}_{i}" for d, k in SERVQUAL.items() for i in range(1, k + 1)]
SURVEY_COLUMNS += [f"adq_{d}_{i}" for d, k in SERVQUAL.items() for i in range(1, k + 1)]
SURVEY_COLUMNS += [f"importance_{d}" for d in SERVQUAL]
SURVEY_COLUMNS += [f"attr_{a}" for a in ("product", "price", "channel", "staff", "competition")]
SURVEY_COLUMNS += ["comment", "suggestion"]
TICKET_COLUMNS = (
    "ticket_id,event_id,event_at,event_type,status,actor_role,agent_id,channel,priority,"
    "category,product,customer_id,segment,satisfaction"
).split(",")
REVIEW_KEYS = (
    "review_id,platform,brand,is_own_brand,published_at,rating,rating_scale_max,title,text,"
    "language,author,product,location,reply_at,reply_text"
).split(",")


def _read_csvs(root: Path, source: str) -> pd.DataFrame:
    files = sorted((root / "landing" / source).glob("*/*.csv"))
    frames = []
    for f in files:
        df = pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""])
        df["_folder"] = f.parent.name
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _read_reviews(root: Path) -> pd.DataFrame:
    rows = []
    for f in sorted((root / "landing" / "reviews").glob("*/*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            assert list(rec) == REVIEW_KEYS
            rec["_folder"] = f.parent.name
            rows.append(rec)
    return pd.DataFrame(rows)


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("clean")
    return root, generate(root, START, days=10, scale=0.3, seed=7, defects=False)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("dirty")
    return root, generate(root, START, days=21, scale=0.8, seed=11, defects=True)


def test_tiny_run_layout_and_summary(tmp_path):
    summary = generate(tmp_path, START, days=1, scale=0.05)
    day = START.isoformat()
    for rel in (
        f"surveys/{day}/survey_responses_{day}.csv",
        f"tickets/{day}/ticket_events_{day}.csv",
        f"reviews/{day}/reviews_{day}.jsonl",
    ):
        assert (tmp_path / "landing" / rel).is_file()
    assert summary["files"] == 3
    assert set(summary) == {"surveys", "tickets", "reviews", "files", "defects"}
    assert summary["tickets"] > 0 and summary["surveys"] > 0 and summary["reviews"] > 0


def test_same_seed_is_byte_identical_and_other_seed_differs(tmp_path):
    args = dict(start=START, days=3, scale=0.1)
    generate(tmp_path / "a", seed=5, **args)
    generate(tmp_path / "b", seed=5, **args)
    generate(tmp_path / "c", seed=6, **args)
    a, b, c = (_hashes(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() == c.keys()
    assert all(a[k] != c[k] for k in a)


def test_volume_scales_linearly(tmp_path):
    one = generate(tmp_path / "one", START, days=4, scale=0.25, seed=3)
    two = generate(tmp_path / "two", START, days=4, scale=0.5, seed=3)
    for source in ("surveys", "tickets", "reviews"):
        assert 1.7 < two[source] / one[source] < 2.3, source


def test_columns_exact(clean):
    root, _ = clean
    for f in (root / "landing" / "surveys").glob("*/*.csv"):
        assert f.read_text(encoding="utf-8").splitlines()[0].split(",") == SURVEY_COLUMNS
    for f in (root / "landing" / "tickets").glob("*/*.csv"):
        assert f.read_text(encoding="utf-8").splitlines()[0].split(",") == TICKET_COLUMNS
    _read_reviews(root)  # asserts key order per record


def test_scores_are_integers_and_timestamps_iso_utc(clean):
    root, _ = clean
    surveys = _read_csvs(root, "surveys")
    for col in ("nps", "csat", "ces", "exp_tangibles_1", "attr_staff"):
        assert surveys[col].dropna().str.fullmatch(r"\d+").all(), col
    ts = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert surveys["submitted_at"].str.fullmatch(ts).all()
    assert _read_csvs(root, "tickets")["event_at"].str.fullmatch(ts).all()
    reviews = _read_reviews(root)
    assert reviews["published_at"].str.fullmatch(ts).all()
    assert reviews["reply_at"].dropna().str.fullmatch(ts).all()


def test_languages_present_in_free_text(clean):
    root, _ = clean
    surveys = _read_csvs(root, "surveys")
    assert LANGS <= set(surveys.loc[surveys["comment"].notna(), "language"])
    reviews = _read_reviews(root)
    assert LANGS <= set(reviews.loc[reviews["text"].notna(), "language"])
    hu = " ".join(reviews.loc[reviews["language"] == "hu", "text"])
    lt = " ".join(reviews.loc[reviews["language"] == "lt", "text"])
    assert any(ch in hu for ch in "őű") and any(ch in lt for ch in "ąčėįšųūž")


def test_clean_run_has_no_defects(clean):
    root, summary = clean
    assert all(v == 0 for v in summary["defects"].values())
    surveys = _read_csvs(root, "surveys")
    assert surveys["response_id"].is_unique
    assert (surveys["submitted_at"].str[:10] == surveys["_folder"]).all()
    assert pd.to_numeric(surveys["nps"]).dropna().between(0, 10).all()
    assert pd.to_numeric(surveys["csat"]).dropna().between(1, 5).all()
    assert pd.to_numeric(surveys["ces"]).dropna().between(1, 7).all()
    tickets = _read_csvs(root, "tickets")
    assert tickets["event_id"].is_unique
    assert (tickets["event_at"].str[:10] == tickets["_folder"]).all()
    reviews = _read_reviews(root)
    assert (reviews["rating"] >= 1).all()
    assert (reviews["rating"] <= reviews["rating_scale_max"]).all()
    counts = reviews["review_id"].value_counts()
    assert counts.max() <= 2
    repeated = reviews[reviews["review_id"].isin(counts[counts == 2].index)]
    assert len(repeated) > 0
    same = [k for k in REVIEW_KEYS if k not in ("reply_at", "reply_text")]
    assert (repeated.groupby("review_id")[same].nunique(dropna=False) == 1).all().all()
    for _, pair in repeated.groupby("review_id"):
        first, second = pair.sort_values("_folder").to_dict("records")
        assert pd.isna(first["reply_at"]) and not pd.isna(second["reply_at"])
        assert second["reply_at"][:10] == second["_folder"] > first["_folder"]


def test_dirty_run_has_every_defect_kind(dirty):
    root, summary = dirty
    assert all(summary["defects"][k] > 0 for k in summary["defects"]), summary["defects"]
    surveys = _read_csvs(root, "surveys")
    assert surveys.duplicated(subset=SURVEY_COLUMNS + ["_folder"]).any()
    keys = surveys.drop_duplicates(subset=["response_id", "_folder"])
    assert keys["response_id"].duplicated().any()  # re-delivered on a later day
    first = surveys.groupby("response_id").agg(
        folder=("_folder", "min"), at=("submitted_at", "first")
    )
    lag = (pd.to_datetime(first["folder"]) - pd.to_datetime(first["at"].str[:10])).dt.days
    assert lag.between(1, 5).any() and lag.between(0, 5).all()
    nps, csat = pd.to_numeric(surveys["nps"]), pd.to_numeric(surveys["csat"])
    ces = pd.to_numeric(surveys["ces"])
    assert (nps > 10).any() or (csat < 1).any() or (csat > 5).any() or (ces > 7).any()
    tickets = _read_csvs(root, "tickets")
    assert tickets.duplicated(subset=TICKET_COLUMNS).any()
    reviews = _read_reviews(root)
    five = reviews[reviews["rating_scale_max"] == 5]
    assert ((five["rating"] < 1) | (five["rating"] > 5)).any()
    assert reviews.drop(columns="_folder").duplicated().any()
    total = sum(summary["defects"].values())
    assert total < 0.01 * (summary["surveys"] + summary["tickets"] + summary["reviews"])


def test_ticket_lifecycles(clean):
    root, _ = clean
    events = _read_csvs(root, "tickets")
    events["seq"] = events["event_id"].str.rsplit("-", n=1).str[1].astype(int)
    events = events.sort_values(["ticket_id", "seq"])
    assert events["ticket_id"].str.fullmatch(r"T\d{8}").all()
    assert events["customer_id"].str.fullmatch(r"C\d+").all()
    first = events.groupby("ticket_id").head(1)
    assert (first["event_type"] == "created").all()
    assert (first["seq"] == 1).all()
    ts = pd.to_datetime(events["event_at"])
    assert (ts.groupby(events["ticket_id"]).diff().dropna() >= pd.Timedelta(0)).all()
    assert events.groupby("ticket_id")["segment"].nunique().max() == 1

    solved_seq = events[events["event_type"] == "solved"].groupby("ticket_id")["seq"].min()
    replies = events[events["event_type"] == "agent_reply"].join(
        solved_seq.rename("solved_at"), on="ticket_id"
    )
    before = replies[replies["seq"] < replies["solved_at"]].groupby("ticket_id").size()
    one_touch = (before.reindex(solved_seq.index, fill_value=0) == 1).mean()
    assert 0.5 <= one_touch <= 0.8
    agent_created = (first["actor_role"] == "agent").mean()
    assert 0.0 < agent_created < 0.08


def test_post_ticket_surveys_refer_to_solved_tickets(dirty):
    root, _ = dirty
    surveys = _read_csvs(root, "surveys")
    events = _read_csvs(root, "tickets")
    post = surveys[surveys["survey_id"] == "post_ticket"]
    assert len(post) > 0 and post["ticket_id"].notna().all()
    assert post["ticket_id"].isin(set(events["ticket_id"])).all()
    solved = events[events["event_type"] == "solved"].groupby("ticket_id")["event_at"].max()
    assert (post["submitted_at"].to_numpy() > solved.reindex(post["ticket_id"]).to_numpy()).all()
    customer = events.drop_duplicates("ticket_id").set_index("ticket_id")["customer_id"]
    assert (
        post["respondent_id"].to_numpy() == customer.reindex(post["ticket_id"]).to_numpy()
    ).all()
    other = surveys[surveys["survey_id"] != "post_ticket"]
    assert other["ticket_id"].isna().all()
    share = surveys["survey_id"].value_counts(normalize=True)
    assert 0.4 < share["relationship"] < 0.6 and 0.08 < share["servqual"] < 0.22


def test_servqual_structure(dirty):
    root, _ = dirty
    surveys = _read_csvs(root, "surveys")
    sq = surveys[surveys["survey_id"] == "servqual"]
    per_cols = [c for c in SURVEY_COLUMNS if c.startswith("per_")]
    managers = sq[sq["respondent_role"] == "manager"]
    assert len(managers) > 0 and managers[per_cols].isna().all().all()
    customers = sq[sq["respondent_role"] == "customer"]

    def gap(dim: str) -> float:
        exp, per = (pd.to_numeric(customers[f"{kind}_{dim}_1"]) for kind in ("exp", "per"))
        return float((per - exp).mean())

    assert gap("responsiveness") < gap("reliability") < 0
    assert gap("tangibles") > gap("empathy")


def test_a_share_of_servqual_customers_give_adequate_levels_and_importance_points(dirty):
    root, _ = dirty
    surveys = _read_csvs(root, "surveys")
    adq_cols = [c for c in SURVEY_COLUMNS if c.startswith("adq_")]
    points_cols = [c for c in SURVEY_COLUMNS if c.startswith("importance_")]
    zone = surveys[adq_cols].notna().all(axis=1)
    points = surveys[points_cols].notna().all(axis=1)
    # All or none of a response's columns; only SERVQUAL customers.
    assert (surveys[adq_cols].notna().any(axis=1) == zone).all()
    assert (surveys[points_cols].notna().any(axis=1) == points).all()
    servqual_customer = (surveys["survey_id"] == "servqual") & (
        surveys["respondent_role"] == "customer"
    )
    assert not (zone | points)[~servqual_customer].any()
    assert 0.3 < zone[servqual_customer].mean() < 0.5
    assert 0.4 < points[servqual_customer].mean() < 0.6
    given = surveys[points]
    assert (given[points_cols].apply(pd.to_numeric).sum(axis=1) == 100).all()
    # Adequate never above desired; the zone is narrowest for reliability.
    with_zone = surveys[zone]

    def width(dim: str) -> float:
        desired, adequate = (
            with_zone.filter(regex=rf"^{kind}_{dim}_\d+$").apply(pd.to_numeric)
            for kind in ("exp", "adq")
        )
        assert (adequate.to_numpy() <= desired.to_numpy()).all(), dim
        return float((desired.to_numpy() - adequate.to_numpy()).mean())

    assert width("reliability") < min(width(d) for d in SERVQUAL if d != "reliability")


def test_every_themed_suggestion_and_demand_mentions_its_theme():
    from theme_match import keywords, themes

    from cx_pipeline.generate.texts import DEMANDS, THEMED_SUGGESTIONS

    seed = keywords()
    for corpus in (THEMED_SUGGESTIONS, DEMANDS):
        for lang, by_theme in corpus.items():
            for theme, phrases in by_theme.items():
                for phrase in phrases:
                    assert themes(phrase, lang, seed) == {theme}, (lang, theme, phrase)


def test_suggestions_follow_scores_and_dissatisfied_customers_get_follow_up_calls(dirty):
    root, _ = dirty
    surveys = _read_csvs(root, "surveys").drop_duplicates("response_id", keep="last")
    langs = set(surveys.loc[surveys["suggestion"].notna(), "language"])
    assert langs >= LANGS | {"de"}
    # A low price rating makes a price suggestion likelier than a high one.
    rel = surveys[(surveys["survey_id"] == "relationship") & surveys["suggestion"].notna()]
    price = rel["attr_price"].astype(float)
    from cx_pipeline.generate.texts import THEMED_SUGGESTIONS

    price_texts = {p for lang in THEMED_SUGGESTIONS.values() for p in lang["price"]}
    is_price = rel["suggestion"].str.split(". ").str[0].add(".").isin(price_texts)
    is_price |= rel["suggestion"].isin(price_texts)
    assert is_price[price <= 3].mean() > is_price[price >= 5].mean() + 0.1
    events = _read_csvs(root, "tickets")
    calls = events[events["category"] == "follow_up"]
    created = calls[calls["event_type"] == "created"]
    assert len(created) > 0 and (created["actor_role"] == "agent").all()
    assert created["customer_id"].isin(set(surveys["respondent_id"])).all()
    assert created["ticket_id"].str.fullmatch(r"T\d{8}").all()


# The files of a range that fits one chunk, as the generator wrote them before long ranges
# were generated in chunks: `generate(root, START, days=10, scale=0.3, seed=7)`, each file's
# path relative to root then its bytes, in path order, into one sha256.
ONE_CHUNK_DIGEST = "85fa41aad593fa602a3b5dbacc4d512fbe44b533fcbc6131df20fd3370545441"


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            digest.update(str(p.relative_to(root)).encode())
            digest.update(p.read_bytes())
    return digest.hexdigest()


def test_a_range_within_one_chunk_is_written_as_before(tmp_path):
    generate(tmp_path, START, days=10, scale=0.3, seed=7)
    assert _tree_digest(tmp_path) == ONE_CHUNK_DIGEST


@pytest.fixture(scope="module")
def chunked(tmp_path_factory) -> tuple[Path, dict, dict]:
    """21 days in chunks of 7 (boundaries before 2024-12-02 and 2024-12-09), and the same
    range in one piece."""
    root = tmp_path_factory.mktemp("chunked")
    whole = tmp_path_factory.mktemp("whole")
    args = dict(start=START, days=21, scale=0.2, seed=4)
    return root, generate(root, **args, _chunk_days=7), generate(whole, **args)


def test_chunks_keep_ticket_histories_whole_across_their_boundaries(chunked):
    root, summary, whole = chunked
    events = _read_csvs(root, "tickets").drop_duplicates(subset=TICKET_COLUMNS)
    assert summary["tickets"] == len(_read_csvs(root, "tickets"))
    created = events[events["event_type"] == "created"].groupby("ticket_id").size()
    # Ticket numbers continue from chunk to chunk: every ticket is created exactly once.
    assert set(created.index) == set(events["ticket_id"]) and (created == 1).all()
    assert not events.duplicated("event_id").any()
    events["t"] = pd.to_datetime(events["event_at"])
    events["seq"] = events["event_id"].str.rsplit("-", n=1).str[1].astype(int)
    history = events.sort_values(["ticket_id", "seq"])
    assert (history.groupby("ticket_id")["seq"].diff().dropna() == 1).all()
    assert (history.groupby("ticket_id")["t"].diff().dropna() >= pd.Timedelta(0)).all()
    opened = events[events["event_type"] == "created"].set_index("ticket_id")["t"]
    assert (events["t"] >= events["ticket_id"].map(opened)).all()
    # Tickets opened in the last days of the first chunk are answered, solved and closed in
    # the second chunk's folders, and the same across the second boundary.
    for boundary in ("2024-12-02", "2024-12-09"):
        before = pd.Timestamp(boundary, tz="UTC") - pd.Timedelta(days=2)
        late = opened[(opened >= before) & (opened < boundary)].index
        carried = events[events["ticket_id"].isin(late) & (events["_folder"] >= boundary)]
        assert {"agent_reply", "solved", "closed"} <= set(carried["event_type"]), boundary
    # Each event is in the folder of its own day.
    assert (events["_folder"] == events["t"].dt.strftime("%Y-%m-%d")).all()
    for source in ("surveys", "tickets", "reviews"):
        assert 0.9 < summary[source] / whole[source] < 1.1, source


def test_chunks_write_one_file_per_source_and_day(chunked):
    root, summary, whole = chunked
    days = {(START + dt.timedelta(days=i)).isoformat() for i in range(21)}
    for source, ext in (("surveys", "csv"), ("tickets", "csv"), ("reviews", "jsonl")):
        files = list((root / "landing" / source).glob("*/*"))
        assert {f.parent.name for f in files} == days and len(files) == 21, source
        assert all(f.name.endswith(f"_{f.parent.name}.{ext}") for f in files)
    assert summary["files"] == whole["files"] == 63


def test_records_carried_into_a_later_chunk_keep_the_files_in_time_order(chunked):
    root, _, _ = chunked
    # Within a day's file ticket events run in time order, the follow-up calls after the
    # desk's own tickets, as in a range generated in one piece.
    for folder, f in _read_csvs(root, "tickets").groupby("_folder"):
        call = f["category"].eq("follow_up")
        assert call.is_monotonic_increasing, folder
        assert f.loc[~call, "event_at"].is_monotonic_increasing, folder
        assert f.loc[call, "event_at"].is_monotonic_increasing, folder
    for folder, f in _read_csvs(root, "surveys").groupby("_folder"):
        assert f["submitted_at"].is_monotonic_increasing, folder
    for folder, f in _read_reviews(root).groupby("_folder"):
        delivered = f["reply_at"].where(
            f["reply_at"].str[:10] > f["published_at"].str[:10], f["published_at"]
        )
        assert delivered.is_monotonic_increasing, folder


def test_chunks_are_deterministic(chunked, tmp_path):
    root, _, _ = chunked
    generate(tmp_path, START, days=21, scale=0.2, seed=4, _chunk_days=7)
    assert _hashes(tmp_path) == _hashes(root)


def test_answers_and_replies_after_a_chunk_land_in_the_later_days(chunked):
    root, _, _ = chunked
    surveys = _read_csvs(root, "surveys")
    post = surveys[surveys["survey_id"] == "post_ticket"]
    tickets = _read_csvs(root, "tickets")
    opened = tickets[tickets["event_type"] == "created"].set_index("ticket_id")["event_at"]
    # Post-ticket answers in the second chunk's folders about tickets of the first chunk.
    first_chunk_tickets = opened[opened < "2024-12-02"].index
    assert post[post["ticket_id"].isin(first_chunk_tickets)]["_folder"].max() >= "2024-12-02"
    # Two chunks number the answers of one day without sharing a number: only re-deliveries
    # and duplicates repeat an id, and every id keeps its form.
    assert surveys.drop_duplicates(subset=SURVEY_COLUMNS)["response_id"].is_unique
    assert surveys["response_id"].str.fullmatch(r"S-\d{8}-\d{6}").all()
    assert (
        surveys["response_id"].str[2:10] == surveys["submitted_at"].str[:10].str.replace("-", "")
    ).all()
    reviews = _read_reviews(root)
    replied_later = reviews[reviews["reply_at"].notna() & (reviews["_folder"] >= "2024-12-02")]
    assert (replied_later["published_at"] < "2024-12-02").any()
    assert (
        reviews.drop_duplicates(subset=["review_id", "reply_at"])["review_id"].value_counts().max()
        <= 2
    )


def test_trends_count_from_the_range_start_in_every_chunk():
    from cx_pipeline.generate.timeline import daily_factors

    dates = [START + dt.timedelta(days=i) for i in range(60)]
    whole = daily_factors(dates, "tickets", growth_per_90d=0.05)
    later = daily_factors(dates[20:], "tickets", growth_per_90d=0.05, day0=20)
    assert list(later) == list(whole[20:])
