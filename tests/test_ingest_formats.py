"""Exports in Excel, SPSS and TSV, and dates known only to the month or relative to the
delivery, each written as a real file and loaded through the loader."""

import gzip
import json
from datetime import UTC, date, datetime

import duckdb
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from cx_pipeline.ingest.canonical import REVIEWS, SURVEYS
from cx_pipeline.ingest.loader import load_partition
from cx_pipeline.ingest.profiles import ProfileError, load_profile
from cx_pipeline.ingest.readers import cell_text

DAY = date(2025, 3, 2)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield tmp_path, con
    con.close()


def _folder(root, source, day=DAY):
    folder = root / "landing" / source / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _profile(root, name, text):
    (root / "profiles" / f"{name}.yaml").write_text(text, encoding="utf-8")


def _quarantine(con):
    return con.execute(
        "SELECT line_number, reason FROM audit.quarantine ORDER BY line_number"
    ).fetchall()


def _ts(*args):
    return datetime(*args, tzinfo=UTC)


def test_xlsx_sheet_named_by_the_profile_with_typed_cells(env):
    root, con = env
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "About"
    notes.append(["This export was made by Acme Survey"])
    sheet = book.create_sheet("Responses")
    sheet.append(["Acme Survey export, March"])  # a title line above the header
    sheet.append(["Response", "Submitted", "Likely to recommend", "CSAT", "Comment"])
    sheet.append(["R1", datetime(2025, 3, 2, 10, 30), 9, 4.0, "great"])
    sheet.append([None, None, None, None, None])  # blank row: not a record
    sheet.append(["R2", date(2025, 3, 1), 11, None, "too high"])
    sheet.append([1003, datetime(2025, 3, 1, 8, 0, 15), 7, 2.5, "fractional csat"])
    book.save(_folder(root, "surveys") / "acme_march.xlsx")
    _profile(
        root,
        "acme",
        "name: acme\nsource: surveys\nmatch: ['acme_*.xlsx']\nsheet: Responses\nskip_rows: 1\n"
        "columns:\n  response_id: Response\n  submitted_at: Submitted\n"
        "  nps: Likely to recommend\n  csat: CSAT\n  comment: Comment\n",
    )
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert (result.read, result.loaded, result.quarantined) == (3, 1, 2)
    loaded = con.execute(
        "SELECT response_id, submitted_at, nps, csat, comment, _record_number "
        "FROM raw.survey_responses"
    ).fetchall()
    assert loaded == [("R1", _ts(2025, 3, 2, 10, 30), 9, 4, "great", 3)]
    # Line numbers are the rows the user sees in Excel (the blank row 4 included).
    assert _quarantine(con) == [(5, "nps above 10"), (6, "csat is not a valid INTEGER")]
    original = con.execute(
        "SELECT original_row FROM audit.quarantine WHERE line_number = 6"
    ).fetchone()[0]
    assert json.loads(original) == {
        "Response": "1003",
        "Submitted": "2025-03-01T08:00:15",
        "Likely to recommend": "7",
        "CSAT": "2.5",
        "Comment": "fractional csat",
    }


def test_xlsx_first_sheet_by_default_sheet_by_position_and_a_missing_sheet(env):
    root, con = env
    for name, title in (("first.xlsx", "Data"), ("second.xlsx", "Cover"), ("none.xlsx", "X")):
        book = openpyxl.Workbook()
        first = book.active
        first.title = title
        other = book.create_sheet("Other")
        for ws, rid in ((first, f"{name}-a"), (other, f"{name}-b")):
            ws.append(["response_id", "submitted_at", "nps"])
            ws.append([rid, "2025-03-02T09:00:00Z", 8])
        book.save(_folder(root, "surveys") / name)
    _profile(root, "second", "name: second\nsource: surveys\nmatch: ['second.xlsx']\nsheet: 2\n")
    _profile(root, "none", "name: none\nsource: surveys\nmatch: ['none.xlsx']\nsheet: Answers\n")
    results = {r.file.rsplit("/", 1)[1]: r for r in load_partition(con, SURVEYS, DAY, "run-1")}
    ids = {r[0] for r in con.execute("SELECT response_id FROM raw.survey_responses").fetchall()}
    assert ids == {"first.xlsx-a", "second.xlsx-b"}
    assert (results["none.xlsx"].read, results["none.xlsx"].quarantined) == (1, 1)
    assert _quarantine(con) == [
        (1, "none.xlsx: no sheet 'Answers' (sheets: ['X', 'Other']); set `sheet:` in the profile")
    ]


def _write_sav(path, with_labels=True):
    frame = pd.DataFrame(
        {
            "resp_id": ["S1", "S2", "S3"],
            "when": pd.to_datetime(["2025-03-02 10:00", "2025-03-01 18:30", "2025-03-01 09:15"]),
            "chan": [1.0, 2.0, 3.0],
            "q_nps": [0.0, 10.0, 7.0],
            "seg": [1.0, 2.0, 1.0],
        }
    )
    labels = {
        "chan": {1: "email", 2: "web", 3: "phone"},
        "q_nps": {0: "0 = Not at all likely", 10: "10 = Extremely likely"},
        "seg": {1: "Small business", 2: "Enterprise"},
    }
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels if with_labels else None)


SAV_PROFILE = (
    "source: surveys\ncolumns:\n  response_id: resp_id\n  submitted_at: when\n"
    "  channel: chan\n  nps: q_nps\n"
)


def test_sav_codes_go_through_value_labels_except_for_scores(env):
    root, con = env
    _write_sav(_folder(root, "surveys") / "tool.sav")
    _profile(root, "tool", f"name: tool\nmatch: ['tool.sav']\n{SAV_PROFILE}")
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert (result.read, result.loaded, result.quarantined) == (3, 3, 0)
    rows = con.execute(
        "SELECT response_id, submitted_at, channel, nps, _extras, _record_number "
        "FROM raw.survey_responses ORDER BY response_id"
    ).fetchall()
    assert [r[:4] for r in rows] == [
        ("S1", _ts(2025, 3, 2, 10, 0), "email", 0),
        ("S2", _ts(2025, 3, 1, 18, 30), "web", 10),
        ("S3", _ts(2025, 3, 1, 9, 15), "phone", 7),
    ]
    # An unmapped labelled variable is kept with its label.
    segments = [json.loads(r[4])["seg"] for r in rows]
    assert segments == ["Small business", "Enterprise", "Small business"]
    assert [r[5] for r in rows] == [1, 2, 3]


def test_sav_codes_kept_when_the_profile_says(env):
    root, con = env
    _write_sav(_folder(root, "surveys") / "codes.sav")
    _profile(
        root,
        "codes",
        f"name: codes\nmatch: ['codes.sav']\nspss_value_labels: false\n{SAV_PROFILE}"
        "value_maps:\n  channel: {'1': email, '2': web, '3': phone}\n",
    )
    load_partition(con, SURVEYS, DAY, "run-1")
    rows = con.execute(
        "SELECT channel, nps, _extras ->> 'seg' FROM raw.survey_responses ORDER BY response_id"
    ).fetchall()
    assert rows == [("email", 0, "1"), ("web", 10, "2"), ("phone", 7, "1")]


def test_corrupt_xlsx_and_sav_are_quarantined_with_their_reason(env):
    root, con = env
    folder = _folder(root, "surveys")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 this zip ends here")
    (folder / "broken.sav").write_bytes(b"$FL2 not really an SPSS file" * 10)
    results = load_partition(con, SURVEYS, DAY, "run-1")
    assert [(r.read, r.loaded, r.quarantined) for r in results] == [(1, 0, 1), (1, 0, 1)]
    rows = con.execute(
        "SELECT source_file, line_number, reason, original_row FROM audit.quarantine "
        "ORDER BY source_file"
    ).fetchall()
    assert [r[0].rsplit("/", 1)[1] for r in rows] == ["broken.sav", "broken.xlsx"]
    assert [r[1] for r in rows] == [1, 1]
    assert rows[0][2].startswith("broken.sav: not readable as an SPSS file: ")
    assert rows[1][2].startswith("broken.xlsx: not readable as an Excel workbook: ")
    assert [r[3] for r in rows] == ["<binary file, 280 bytes>", "<binary file, 23 bytes>"]


def test_tsv_and_gzipped_tsv(env):
    root, con = env
    body = (
        "review_id\tbrand\tpublished_at\trating\ttext\n"
        'V1\tNorthwind\t2025-03-02T08:00:00Z\t4\tcommas, and "quotes" are fine\n'
        "V2\tNorthwind\t2025-03-02T09:00:00Z\t9\ttoo high\n"
    )
    folder = _folder(root, "reviews")
    (folder / "a.tsv").write_text(body, encoding="utf-8")
    (folder / "b.tsv.gz").write_bytes(gzip.compress(body.replace("V", "W").encode()))
    results = load_partition(con, REVIEWS, DAY, "run-1")
    assert [(r.read, r.loaded, r.quarantined) for r in results] == [(2, 1, 1), (2, 1, 1)]
    assert con.execute("SELECT review_id, text FROM raw.reviews ORDER BY 1").fetchall() == [
        ("V1", 'commas, and "quotes" are fine'),
        ("W1", 'commas, and "quotes" are fine'),
    ]
    assert _quarantine(con) == [
        (3, "rating outside 1..rating_scale_max"),
        (3, "rating outside 1..rating_scale_max"),
    ]


def test_month_precision_and_relative_dates(env):
    root, con = env
    rows = [
        ("M1", "Sep 2024"),
        ("M2", "2024-11"),
        ("D1", "05/02/2025"),
        ("T1", "Today"),
        ("Y1", "yesterday"),
        ("A1", "3 days ago"),
        ("A2", "a day ago"),
        ("B1", "2 months ago"),
        ("B2", "last month"),
        ("B3", "This month"),
        ("X1", "2025-03-01T09:00:00Z"),
        ("Q1", "some day"),
    ]
    body = "id,date,nps\n" + "".join(f"{rid},{when},8\n" for rid, when in rows)
    (_folder(root, "surveys") / "panel.csv").write_text(body, encoding="utf-8")
    _profile(
        root,
        "panel",
        "name: panel\nsource: surveys\nmatch: ['panel.csv']\n"
        "date_formats: ['%b %Y', '%Y-%m', '%d/%m/%Y']\nrelative_dates: true\n"
        "columns:\n  response_id: id\n  submitted_at: date\n",
    )
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert (result.read, result.loaded, result.quarantined) == (12, 11, 1)
    loaded = con.execute(
        "SELECT response_id, submitted_at, submitted_at_precision FROM raw.survey_responses "
        "ORDER BY _record_number"
    ).fetchall()
    assert loaded == [
        ("M1", _ts(2024, 9, 1), "month"),
        ("M2", _ts(2024, 11, 1), "month"),
        ("D1", _ts(2025, 2, 5), "day"),
        ("T1", _ts(2025, 3, 2), "day"),
        ("Y1", _ts(2025, 3, 1), "day"),
        ("A1", _ts(2025, 2, 27), "day"),
        ("A2", _ts(2025, 3, 1), "day"),
        ("B1", _ts(2025, 1, 1), "month"),
        ("B2", _ts(2025, 2, 1), "month"),
        ("B3", _ts(2025, 3, 1), "month"),
        ("X1", _ts(2025, 3, 1, 9), None),
    ]
    assert _quarantine(con) == [(13, "submitted_at is not a valid TIMESTAMPTZ")]


def test_relative_dates_are_not_guessed_without_the_option(env):
    root, con = env
    (_folder(root, "reviews") / "r.csv").write_text(
        "review_id,brand,published_at,rating\nV1,Northwind,Yesterday,4\nV2,Northwind,Sep 2024,4\n",
        encoding="utf-8",
    )
    [result] = load_partition(con, REVIEWS, DAY, "run-1")
    assert (result.loaded, result.quarantined) == (0, 2)


def test_month_precision_in_the_profiles_time_zone_and_for_reviews(env):
    root, con = env
    (_folder(root, "reviews") / "g.csv").write_text(
        "id,when,stars\nG1,September 2024,5\nG2,2 months ago,3\n", encoding="utf-8"
    )
    _profile(
        root,
        "g",
        "name: g\nsource: reviews\nmatch: ['g.csv']\ntimezone: Europe/Lisbon\n"
        "date_formats: ['%B %Y']\nrelative_dates: true\nconstants:\n  brand: Northwind\n"
        "columns:\n  review_id: id\n  published_at: when\n  rating: stars\n",
    )
    load_partition(con, REVIEWS, DAY, "run-1")
    rows = con.execute(
        "SELECT review_id, published_at, published_at_precision FROM raw.reviews ORDER BY 1"
    ).fetchall()
    # Midnight of the first day of the month, Lisbon time (summer time in September).
    assert rows == [
        ("G1", _ts(2024, 8, 31, 23), "month"),
        ("G2", _ts(2025, 1, 1), "month"),
    ]


def test_a_date_format_must_name_year_and_month(env):
    root, _ = env
    _profile(root, "bad", "name: bad\nsource: surveys\ndate_formats: ['%d %b']\n")
    with pytest.raises(ProfileError, match="needs a year and a month"):
        load_profile("bad", "surveys")


def test_cells_become_the_text_a_csv_export_would_hold():
    values = [9.0, 2.5, 7, True, date(2025, 3, 1), datetime(2025, 3, 2, 10, 30), float("nan")]
    values += [pd.NaT, pd.Timestamp("2025-03-02 10:00"), "", " kept "]
    assert [cell_text(v) for v in values] == [
        "9",
        "2.5",
        "7",
        "true",
        "2025-03-01",
        "2025-03-02T10:30:00",
        None,
        None,
        "2025-03-02T10:00:00",
        None,
        " kept ",
    ]
