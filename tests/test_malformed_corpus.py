"""A corpus of malformed and awkward inputs, each with its exact outcome: how many rows
were read, loaded, quarantined and counted as duplicates, and why."""

import gzip
import io
import json
import zlib
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd
import pytest

from cx_pipeline.ingest.canonical import SOURCES
from cx_pipeline.ingest.loader import load_partition

DAY = date(2025, 3, 2)
SURVEY_HEADER = "response_id,submitted_at,respondent_id,nps,csat,comment"
TICKET_HEADER = "ticket_id,event_id,event_at,event_type,status"


def survey_csv(*rows: str, header: str = SURVEY_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def good(i: int = 1, nps: str = "9", comment: str = "fine") -> str:
    return f"S{i},2025-03-02T10:00:00Z,R{i},{nps},,{comment}"


def review(**overrides) -> dict:
    base = {
        "review_id": "V1",
        "brand": "Northwind",
        "published_at": "2025-03-02T08:00:00Z",
        "rating": 4,
        "rating_scale_max": 5,
        "text": "good",
    }
    return {**base, **overrides}


def parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    frame = pd.DataFrame(
        {"response_id": ["P1", "P2"], "submitted_at": ["2025-03-02T10:00:00Z"] * 2, "nps": [10, 3]}
    )
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _truncated_gzip(text: bytes, header: bool) -> tuple[bytes, int]:
    """`text` gzipped and cut half-way, and how many records the cut leaves (the last one
    partial), counted by decompressing what is left."""
    cut = gzip.compress(text)[: len(gzip.compress(text)) // 2]
    recovered = zlib.decompressobj(wbits=31).decompress(cut)
    return cut, recovered.count(b"\n") + 1 - int(header)


TRUNCATED_GZIP, TRUNCATED_GZIP_LINES = _truncated_gzip(
    survey_csv(*[good(i) for i in range(500)]), header=True
)
TRUNCATED_GZIP_JSONL, TRUNCATED_JSONL_LINES = _truncated_gzip(
    "".join(json.dumps(review(review_id=f"V{i}")) + "\n" for i in range(300)).encode(),
    header=False,
)


@dataclass
class Case:
    name: str
    source: str
    files: dict[str, bytes]
    counts: tuple[int, int, int, int]  # read, loaded, quarantined, duplicates (all files)
    reasons: dict[str, int] = field(default_factory=dict)  # reason substring -> rows
    profile: str | None = None  # YAML of a user profile, put in CX_PROFILES_DIR
    links: dict[str, str] = field(default_factory=dict)  # symlinks: name -> target
    folders: tuple[str, ...] = ()  # sub-folders created in the day's folder
    skipped: dict[str, str] = field(default_factory=dict)  # entry -> reason fragment


CASES = [
    Case("clean", "surveys", {"a.csv": survey_csv(good(1), good(2))}, (2, 2, 0, 0)),
    Case(
        "ragged_row_missing_fields",
        "surveys",
        {"a.csv": survey_csv(good(1), "S2,2025-03-02T10:00:00Z,R2")},
        (2, 1, 1, 0),
        {"MISSING COLUMNS": 1},
    ),
    Case(
        "ragged_row_extra_fields",
        "surveys",
        {"a.csv": survey_csv(good(1), good(2) + ",extra,more")},
        (2, 1, 1, 0),
        {"TOO MANY COLUMNS": 1},
    ),
    Case(
        "wrong_delimiter_declared",
        "surveys",
        {"semi.csv": survey_csv(good(1).replace(",", ";"), header=SURVEY_HEADER.replace(",", ";"))},
        (1, 0, 1, 0),
        {"missing required column(s)": 1},
        profile="name: commas\nsource: surveys\nmatch: ['semi.csv']\ndelimiter: ','\n",
    ),
    Case(
        "semicolon_file_with_its_delimiter_declared",
        "surveys",
        {"semi.csv": survey_csv(good(1).replace(",", ";"), header=SURVEY_HEADER.replace(",", ";"))},
        (1, 1, 0, 0),
        profile="name: semis\nsource: surveys\nmatch: ['semi.csv']\ndelimiter: ';'\n",
    ),
    Case(
        "latin1_bytes_in_a_file_declared_utf8",
        "surveys",
        {"a.csv": survey_csv(good(1)) + "S2,2025-03-02T10:00:00Z,R2,9,,Ótimo\n".encode("latin-1")},
        (2, 1, 1, 0),
        {"INVALID ENCODING": 1},
    ),
    Case(
        "latin1_file_with_its_encoding_declared",
        "surveys",
        {"l1.csv": survey_csv(good(1, comment="Ótimo atendimento")).decode().encode("latin-1")},
        (1, 1, 0, 0),
        profile="name: latin\nsource: surveys\nmatch: ['l1.csv']\nencoding: latin-1\n",
    ),
    # A zero-byte file is a failed export, not an empty day (that has its header line).
    Case("empty_file", "surveys", {"a.csv": b""}, (1, 0, 1, 0), {"a.csv: empty file (0 bytes)": 1}),
    Case("header_only", "surveys", {"a.csv": survey_csv()}, (0, 0, 0, 0)),
    Case(
        "duplicate_rows_within_a_file",
        "surveys",
        {"a.csv": survey_csv(good(1), good(1), good(2))},
        (3, 2, 0, 1),
    ),
    Case(
        "duplicate_rows_across_files",
        "surveys",
        {"a.csv": survey_csv(good(1)), "b.csv": survey_csv(good(1), good(2))},
        (3, 2, 0, 1),
    ),
    Case(
        "same_key_new_content_is_a_new_version",
        "surveys",
        {"a.csv": survey_csv(good(1), good(1, nps="3"))},
        (2, 2, 0, 0),
    ),
    Case(
        "nps_11",
        "surveys",
        {"a.csv": survey_csv(good(1, nps="11"))},
        (1, 0, 1, 0),
        {"nps above 10": 1},
    ),
    Case(
        "csat_0",
        "surveys",
        {"a.csv": survey_csv("S1,2025-03-02T10:00:00Z,R1,,0,meh")},
        (1, 0, 1, 0),
        {"csat below 1": 1},
    ),
    Case(
        "fractional_nps",
        "surveys",
        {"a.csv": survey_csv(good(1, nps="7.5"))},
        (1, 0, 1, 0),
        {"nps is not a valid INTEGER": 1},
    ),
    Case(
        "unparseable_timestamp",
        "surveys",
        {"a.csv": survey_csv("S1,yesterday,R1,9,,x")},
        (1, 0, 1, 0),
        {"submitted_at is not a valid TIMESTAMPTZ": 1},
    ),
    Case(
        "future_date",
        "surveys",
        {"a.csv": survey_csv("S1,2099-01-01T10:00:00Z,R1,9,,x")},
        (1, 0, 1, 0),
        {"submitted_at in the future": 1},
    ),
    Case(
        "missing_key_value",
        "surveys",
        {"a.csv": survey_csv(",2025-03-02T10:00:00Z,R1,9,,x")},
        (1, 0, 1, 0),
        {"missing required value response_id": 1},
    ),
    Case(
        "missing_required_column",
        "surveys",
        {"a.csv": b"response_id,nps\nS1,9\nS2,3\n"},
        (2, 0, 2, 0),
        {'missing required column(s) ["submitted_at': 2},
    ),
    Case(
        "mixed_time_zone_offsets",
        "surveys",
        {
            "a.csv": survey_csv(
                "S1,2025-03-02T10:00:00+02:00,R1,9,,x", "S2,2025-03-02T08:00:00Z,R2,9,,y"
            )
        },
        (2, 2, 0, 0),
    ),
    Case(
        "ten_megabyte_field",
        "surveys",
        {"a.csv": survey_csv(good(1, comment="x" * 10_000_000))},
        (1, 1, 0, 0),
    ),
    Case(
        "sql_and_html_looking_text",
        "surveys",
        {
            "a.csv": survey_csv(
                good(1, comment="'); DROP TABLE raw.survey_responses; --"),
                good(2, comment='"<script>alert(1)</script>"'),
            )
        },
        (2, 2, 0, 0),
    ),
    Case(
        "quoted_field_with_newline_and_delimiter",
        "surveys",
        {"a.csv": survey_csv(good(1, comment='"first line\nsecond, with comma"'))},
        (1, 1, 0, 0),
    ),
    Case(
        "bom_and_crlf",
        "surveys",
        {"a.csv": b"\xef\xbb\xbf" + survey_csv(good(1), good(2)).replace(b"\n", b"\r\n")},
        (2, 2, 0, 0),
    ),
    Case(
        "gzip_csv",
        "surveys",
        {"a.csv.gz": gzip.compress(survey_csv(good(1), good(2)))},
        (2, 2, 0, 0),
    ),
    Case(
        # The lines before the cut load; the line the compressed data ends in is quarantined
        # with the cause, and nothing after it was ever delivered.
        "truncated_gzip",
        "surveys",
        {"a.csv.gz": TRUNCATED_GZIP},
        (TRUNCATED_GZIP_LINES, TRUNCATED_GZIP_LINES - 1, 1, 0),
        {"truncated gzip: the compressed data ends inside this line": 1},
    ),
    Case(
        "truncated_gzip_jsonl",
        "reviews",
        {"r.jsonl.gz": TRUNCATED_GZIP_JSONL},
        (TRUNCATED_JSONL_LINES, TRUNCATED_JSONL_LINES - 1, 1, 0),
        {"truncated gzip": 1},
    ),
    Case(
        "not_gzip_at_all",
        "surveys",
        {"a.csv.gz": b"plain text pretending to be gzip\n"},
        (1, 0, 1, 0),
        {"a.csv.gz: not a gzip file": 1},
    ),
    Case(
        "jsonl_line_not_an_object",
        "reviews",
        {"r.jsonl": (json.dumps(review()) + '\n[1, 2]\n"text"\n').encode()},
        (3, 1, 2, 0),
        {"JSON value is not an object": 2},
    ),
    Case(
        "jsonl_malformed_line",
        "reviews",
        {"r.jsonl": (json.dumps(review()) + '\n{"review_id": "V2", \n').encode()},
        (2, 1, 1, 0),
        {"malformed JSON": 1},
    ),
    Case(
        "json_array",
        "reviews",
        {"r.json": json.dumps([review(), review(review_id="V2")]).encode()},
        (2, 2, 0, 0),
    ),
    Case(
        "json_file_that_is_not_an_array",
        "reviews",
        {"r.json": b'{"review_id": "V1"'},
        (1, 0, 1, 0),
        {"not a JSON array": 1},
    ),
    Case(
        "rating_6_of_5",
        "reviews",
        {"r.jsonl": (json.dumps(review(rating=6)) + "\n").encode()},
        (1, 0, 1, 0),
        {"rating outside 1..rating_scale_max": 1},
    ),
    Case(
        "negative_reply_duration",
        "reviews",
        {"r.jsonl": (json.dumps(review(reply_at="2025-03-01T08:00:00Z")) + "\n").encode()},
        (1, 0, 1, 0),
        {"reply_at before published_at": 1},
    ),
    Case(
        "event_before_its_tickets_creation",
        "tickets",
        {
            "t.csv": (
                TICKET_HEADER
                + "\nT1,T1-1,2025-03-02T10:00:00Z,created,new"
                + "\nT1,T1-2,2025-03-02T09:00:00Z,agent_reply,pending\n"
            ).encode()
        },
        (2, 1, 1, 0),
        {"event before its ticket's creation": 1},
    ),
    Case(
        "unknown_event_type",
        "tickets",
        {"t.csv": (TICKET_HEADER + "\nT1,T1-1,2025-03-02T10:00:00Z,exploded,new\n").encode()},
        (1, 0, 1, 0),
        {"event_type not one of": 1},
    ),
    Case("parquet", "surveys", {"a.parquet": parquet_bytes()}, (2, 2, 0, 0)),
    Case(
        "unsupported_file_type",
        "surveys",
        {"a.numbers": b"PK\x03\x04 an Apple Numbers file\n"},
        (1, 0, 1, 0),
        {"unsupported file type": 1},
    ),
    Case(
        "corrupt_xlsx",
        "surveys",
        {"a.xlsx": b"PK\x03\x04 not really a workbook\n"},
        (1, 0, 1, 0),
        {"a.xlsx: not readable as an Excel workbook": 1},
    ),
    Case(
        "corrupt_sav",
        "surveys",
        {"a.sav": b"$FL2 truncated"},
        (1, 0, 1, 0),
        {"a.sav: not readable as an SPSS file": 1},
    ),
    # --- numbers no column can hold: quarantined as out of range, never a crash
    Case(
        "nps_nan",
        "surveys",
        {"a.csv": survey_csv(good(1), good(2, nps="nan"))},
        (2, 1, 1, 0),
        {"nps out of range: not a finite number": 1},
    ),
    Case(
        "nps_infinity",
        "surveys",
        {"a.csv": survey_csv(good(1), good(2, nps="inf"))},
        (2, 1, 1, 0),
        {"nps out of range: not a finite number": 1},
    ),
    Case(
        "nps_minus_infinity",
        "surveys",
        {"a.csv": survey_csv(good(2, nps="-Infinity"))},
        (1, 0, 1, 0),
        {"nps out of range: not a finite number": 1},
    ),
    Case(
        "nps_beyond_integer_range",
        "surveys",
        {"a.csv": survey_csv(good(1), good(2, nps="99999999999"))},
        (2, 1, 1, 0),
        {"nps out of range of INTEGER": 1},
    ),
    Case(
        "rating_infinite_in_json",
        "reviews",
        {
            "r.jsonl": (
                json.dumps(review())
                + "\n"
                + json.dumps(review(review_id="V2", rating="inf"))
                + "\n"
            ).encode()
        },
        (2, 1, 1, 0),
        {"rating out of range: not a finite number": 1},
    ),
    Case(
        "rating_overflowing_double",
        "reviews",
        {"r.jsonl": (json.dumps(review(rating="1e400")) + "\n").encode()},
        (1, 0, 1, 0),
        {"rating out of range: not a finite number": 1},
    ),
    Case(
        "event_seq_beyond_bigint",
        "tickets",
        {
            "t.csv": (
                TICKET_HEADER + ",event_seq\nT1,T1-1,2025-03-02T08:00:00Z,created,new,"
                "99999999999999999999\n"
            ).encode()
        },
        (1, 0, 1, 0),
        {"event_seq out of range of BIGINT": 1},
    ),
    # --- files their reader cannot take: one row with the cause; the neighbours load
    Case(
        "zero_byte_parquet_beside_a_good_file",
        "surveys",
        {"a.parquet": b"", "b.csv": survey_csv(good(1))},
        (2, 1, 1, 0),
        {"a.parquet: empty file (0 bytes)": 1},
    ),
    Case(
        "parquet_that_is_not_parquet",
        "surveys",
        {"a.parquet": b"this is no parquet file"},
        (1, 0, 1, 0),
        {"a.parquet: not readable as a Parquet file": 1},
    ),
    Case(
        "zero_byte_csv", "surveys", {"a.csv": b""}, (1, 0, 1, 0), {"a.csv: empty file (0 bytes)": 1}
    ),
    Case(
        "latin1_line_in_a_utf8_jsonl",
        "reviews",
        {
            "r.jsonl": json.dumps(review()).encode()
            + b"\n"
            + json.dumps(review(review_id="V2", text="Ótimo"), ensure_ascii=False)
            .encode("utf-8")
            .replace("Ó".encode(), "Ó".encode("latin-1"))
            + b"\n"
        },
        (2, 1, 1, 0),
        {"unparseable JSON line: not valid utf-8": 1},
    ),
    Case(
        "utf16_jsonl_declared_utf8",
        "reviews",
        {"r.jsonl": (json.dumps(review()) + "\n").encode("utf-16")},
        (1, 0, 1, 0),
        {"r.jsonl: not utf-8 as declared: it starts with a UTF-16 byte order mark": 1},
    ),
    Case(
        "utf16_csv_declared_utf8",
        "surveys",
        {"a.csv": survey_csv(good(1)).decode().encode("utf-16")},
        (1, 0, 1, 0),
        {"not utf-8 as declared: it starts with a UTF-16": 1},
    ),
    Case(
        "utf16_csv_without_bom",
        "surveys",
        {"a.csv": survey_csv(good(1)).decode().encode("utf-16-le")},
        (1, 0, 1, 0),
        {"looks like UTF-16 without a byte order mark": 1},
    ),
    Case(
        "utf16_csv_declared",
        "surveys",
        {"a.csv": survey_csv(good(1)).decode().encode("utf-16")},
        (1, 1, 0, 0),
        profile="name: u16\nsource: surveys\nmatch: ['a.csv']\nencoding: utf-16\n",
    ),
    Case(
        "binary_garbage_as_csv",
        "surveys",
        {"a.csv": bytes(range(256)) * 4},
        (1, 0, 1, 0),
        {"a.csv: not utf-8 as declared: binary content (NUL bytes)": 1},
    ),
    # --- CSVs DuckDB's strict reader rejects: read record by record
    Case(
        "unbalanced_quote",
        "surveys",
        {"a.csv": survey_csv(good(1), 'S2,2025-03-02T10:00:00Z,R2,9,,"open', good(3))},
        (3, 2, 1, 0),
        {"unparseable CSV row: unbalanced quote": 1},
    ),
    Case(
        "bare_carriage_return_in_a_field",
        "surveys",
        {"a.csv": survey_csv(good(1, comment="one\rtwo"), good(2))},
        (2, 2, 0, 0),
    ),
    Case(
        "mixed_line_endings",
        "surveys",
        {
            "a.csv": survey_csv(good(1)).replace(b"\n", b"\r\n", 1)
            + good(2).encode()
            + b"\r\n"
            + good(3).encode()
            + b"\n"
        },
        (3, 3, 0, 0),
    ),
    # --- profiles that do not fit the file: the whole file, with the column named
    Case(
        "profile_maps_a_missing_column",
        "surveys",
        {"a.csv": survey_csv(good(1))},
        (1, 0, 1, 0),
        {"profile 'p' maps column(s) 'Score' (for nps) that file a.csv does not have": 1},
        profile="name: p\nsource: surveys\nmatch: ['a.csv']\ncolumns:\n  nps: Score\n",
    ),
    Case(
        "derive_names_a_missing_column",
        "surveys",
        {"a.csv": survey_csv(good(1)), "b.csv": survey_csv(good(2))},
        (2, 1, 1, 0),
        {"profile 'p' cannot map file a.csv: derive of csat failed": 1},
        profile="name: p\nsource: surveys\nmatch: ['a.csv']\nderive:\n  csat: src.Stars\n",
    ),
    # --- implausible dates
    Case(
        "year_0001",
        "surveys",
        {"a.csv": survey_csv("S1,0001-01-01T00:00:00Z,R1,9,,x")},
        (1, 0, 1, 0),
        {"submitted_at before 2000-01-01": 1},
    ),
    Case(
        "year_1900",
        "surveys",
        {"a.csv": survey_csv("S1,1900-01-01T10:00:00Z,R1,9,,x")},
        (1, 0, 1, 0),
        {"submitted_at before 2000-01-01": 1},
    ),
    Case(
        "year_44_bc",
        "surveys",
        {"a.csv": survey_csv("S1,0044-03-15 (BC),R1,9,,x")},
        (1, 0, 1, 0),
        {"submitted_at before 2000-01-01": 1},
    ),
    Case(
        "ticket_event_in_1999",
        "tickets",
        {"t.csv": (TICKET_HEADER + "\nT1,T1-1,1999-12-31T23:59:59Z,created,new\n").encode()},
        (1, 0, 1, 0),
        {"event_at before 2000-01-01": 1},
    ),
    # --- the landing folder is a boundary: nothing outside it is read, nothing is silent
    Case(
        "symlink_to_etc_passwd",
        "tickets",
        {"ok.csv": (TICKET_HEADER + "\nT1,T1-1,2025-03-02T08:00:00Z,created,new\n").encode()},
        (1, 1, 0, 0),
        links={"ticket link.csv": "/etc/passwd"},
        skipped={"ticket link.csv": "a symbolic link, not read"},
    ),
    Case(
        "hidden_file",
        "surveys",
        {".hidden.csv": survey_csv(good(1)), "a.csv": survey_csv(good(2))},
        (1, 1, 0, 0),
        skipped={".hidden.csv": "a hidden file, not read"},
    ),
    Case(
        "partial_download",
        "surveys",
        {"a.csv.part": survey_csv(good(1))},
        (0, 0, 0, 0),
        skipped={"a.csv.part": "a temporary or partial file, not read"},
    ),
    Case(
        "editor_lock_and_tmp_files",
        "surveys",
        {"~$a.csv": b"lock", "a.csv.tmp": b"x"},
        (0, 0, 0, 0),
        skipped={"~$a.csv": "temporary", "a.csv.tmp": "temporary"},
    ),
    Case(
        "sub_folder",
        "surveys",
        {},
        (0, 0, 0, 0),
        folders=("more",),
        skipped={"more": "a folder, not read"},
    ),
]


def test_the_corpus_covers_at_least_sixty_cases():
    assert len(CASES) >= 60


def land_case(case: Case, data_dir, monkeypatch):
    """The case's files in `data_dir`'s landing folder for DAY, with its profile if it has
    one, and the environment pointing there; the landing folder."""
    monkeypatch.setenv("CX_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CX_PROFILES_DIR", raising=False)
    if case.profile:
        profiles = data_dir / "profiles"
        profiles.mkdir(parents=True)
        (profiles / "user.yaml").write_text(case.profile)
        monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    folder = data_dir / "landing" / case.source / DAY.isoformat()
    folder.mkdir(parents=True)
    for name, content in case.files.items():
        (folder / name).write_bytes(content)
    for name, target in case.links.items():
        (folder / name).symlink_to(target)
    for name in case.folders:
        (folder / name).mkdir()
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input_outcome(case: Case, tmp_path, monkeypatch):
    folder = land_case(case, tmp_path, monkeypatch)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    results = load_partition(con, SOURCES[case.source], DAY, "run")
    skipped = dict(
        con.execute(
            "SELECT source_file, skipped FROM audit.load_reconciliation WHERE skipped IS NOT NULL"
        ).fetchall()
    )
    assert {k.rsplit("/", 1)[1] for k in skipped} == set(case.skipped)
    for name, fragment in case.skipped.items():
        assert fragment in skipped[str(folder / name)], skipped
    if case.links:
        # nothing of what a link points to is read
        stored = con.execute("SELECT string_agg(original_row, '') FROM audit.quarantine")
        assert "root:" not in (stored.fetchone()[0] or "")
    totals = tuple(
        sum(getattr(r, k) for r in results) for k in ("read", "loaded", "quarantined", "duplicates")
    )
    assert totals == case.counts
    reasons = con.execute("SELECT reason FROM audit.quarantine").fetchall()
    for fragment, n in case.reasons.items():
        assert sum(fragment in r[0] for r in reasons) == n, (fragment, reasons)
    # Nothing lost: every quarantined row keeps its original content.
    assert (
        con.execute("SELECT count(*) FROM audit.quarantine WHERE original_row IS NULL").fetchone()[
            0
        ]
        == 0
    )
    recon = con.execute(
        "SELECT sum(rows_read), sum(rows_loaded + rows_quarantined + rows_duplicate) "
        "FROM audit.load_reconciliation"
    ).fetchone()
    assert recon[0] == recon[1] or (recon == (None, None) and not results)


def test_values_survive_exactly(tmp_path, monkeypatch):
    """Offsets are converted to UTC; awkward text is stored verbatim, never executed."""
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    folder = tmp_path / "landing" / "surveys" / DAY.isoformat()
    folder.mkdir(parents=True)
    sql_text = "'); DROP TABLE raw.survey_responses; --"
    (folder / "a.csv").write_bytes(
        survey_csv(
            "S1,2025-03-02T10:00:00+02:00,R1,9,,x",
            good(2, comment=sql_text),
            good(3, comment='"<b>bold</b> &amp; ""quoted"""'),
        )
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_partition(con, SOURCES["surveys"], DAY, "run")
    rows = dict(
        con.execute(
            "SELECT response_id, CAST(submitted_at AS VARCHAR) || '|' || comment "
            "FROM raw.survey_responses"
        ).fetchall()
    )
    assert rows["S1"] == "2025-03-02 08:00:00+00|x"
    assert rows["S2"].endswith(sql_text)
    assert rows["S3"].endswith('<b>bold</b> &amp; "quoted"')
