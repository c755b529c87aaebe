"""A new export's first load: events in the export's order, profiles that do not fit their
file, re-deliveries, a corrected profile, which profile maps a file, and validate telling
the same story as load. Each case is a generated file reproducing it."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from conftest import cli

from cx_pipeline.ingest.canonical import SURVEYS, TICKETS
from cx_pipeline.ingest.loader import load_partition

DAY = date(2025, 3, 4)
SURVEY_HEADER = "response_id,survey_id,submitted_at,channel,nps"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CX_PROFILES_DIR", raising=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield tmp_path, con
    con.close()


def _land(root, source, name, text, day=DAY):
    folder = root / "landing" / source / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _surveys(prefix, n, nps=9, day="2025-03-04"):
    return (
        SURVEY_HEADER
        + "\n"
        + "".join(f"{prefix}{i},rel,{day}T10:{i % 60:02d}:00Z,web,{nps}\n" for i in range(n))
    )


def _reasons(con):
    return dict(con.execute("SELECT reason, count(*) FROM audit.quarantine GROUP BY 1").fetchall())


# --- a profile that does not fit its file: the whole file, with a reason, never a traceback


def _profile(folder, name, body):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(f"name: {name}\n{body}", encoding="utf-8")


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("columns:\n  response_id: Id\n  submitted_at: When\n  nps: Score\n", "'Score'"),
        ("columns:\n  response_id: Id\n  submitted_at: When\n  nps: 'sql: \"Scor\" + 0'\n", "Scor"),
        ("columns:\n  response_id: Id\n  submitted_at: When\nderive:\n  nps: src.Rating\n", "nps"),
        (
            "columns:\n  response_id: Id\n  submitted_at: When\nderive:\n  nps: 'Ratng * 2'\n",
            "Ratng",
        ),
    ],
    ids=["columns", "sql", "derive_src", "derive_column"],
)
def test_profile_naming_a_missing_column_quarantines_the_file(env, monkeypatch, body, fragment):
    root, con = env
    profiles = root / "profiles"
    _profile(profiles, "acme", f"source: surveys\nmatch: ['acme*.csv']\n{body}")
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    _land(
        root, "surveys", "acme_1.csv", "Id,When\nA1,2025-03-04T10:00:00Z\nA2,2025-03-04T11:00:00Z\n"
    )
    _land(root, "surveys", "other.csv", _surveys("S", 3))
    results = {r.file.rsplit("/", 1)[1]: r for r in load_partition(con, SURVEYS, DAY, "run-1")}
    acme = results["acme_1.csv"]
    assert (acme.read, acme.loaded, acme.quarantined) == (2, 0, 2)
    [reason] = acme.reasons
    assert fragment in reason and "acme_1.csv" in reason and "'acme'" in reason, reason
    # the neighbour loads
    assert results["other.csv"].loaded == 3


def test_broken_profile_yaml_quarantines_its_files_and_names_the_problem(env, monkeypatch):
    root, con = env
    profiles = root / "profiles"
    _profile(profiles, "bad", "source: surveys\nmatch: ['x*.csv']\nskip_rows: two\n")
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    _land(root, "surveys", "x1.csv", _surveys("S", 2))
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert result.quarantined == 2
    [reason] = result.reasons
    assert "bad.yaml" in reason and "wrong shape" in reason


# --- CSVs DuckDB's strict reader rejects are read record by record


@pytest.mark.parametrize(
    "content, loaded, bad_lines",
    [
        (
            b"r1,2025-03-04T10:00:00Z,9\nr2,2025-03-04T10:00:00Z,8,bad\rx\nr3,2025-03-04T10:00:00Z,7\n",
            2,
            [3],
        ),
        (
            b"r1,2025-03-04T10:00:00Z,9\r\nr2,2025-03-04T10:00:00Z,8\nr3,2025-03-04T10:00:00Z,7\r\n",
            3,
            [],
        ),
        (
            b'r1,2025-03-04T10:00:00Z,"9\nr2,2025-03-04T10:00:00Z,8\nr3,2025-03-04T10:00:00Z,7\n',
            2,
            [2],
        ),
    ],
    ids=["bare_cr_in_unquoted_field", "mixed_line_endings", "unbalanced_quote"],
)
def test_a_csv_the_strict_reader_rejects_loads_what_parses(env, content, loaded, bad_lines):
    root, con = env
    folder = root / "landing" / "surveys" / DAY.isoformat()
    folder.mkdir(parents=True)
    (folder / "s.csv").write_bytes(b"response_id,submitted_at,nps\n" + content)
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert (result.read, result.loaded) == (3, loaded)
    lines = [r[0] for r in con.execute("SELECT line_number FROM audit.quarantine").fetchall()]
    assert lines == bad_lines
    if bad_lines:
        [reason] = result.reasons
        assert reason.startswith("unparseable CSV row")


def test_bare_carriage_return_in_a_field_is_kept(env):
    root, con = env
    folder = root / "landing" / "surveys" / DAY.isoformat()
    folder.mkdir(parents=True)
    (folder / "s.csv").write_bytes(
        b"response_id,submitted_at,comment\nr1,2025-03-04T10:00:00Z,one\rtwo\n"
    )
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert result.loaded == 1
    assert con.execute("SELECT comment FROM raw.survey_responses").fetchone()[0] == "one\rtwo"


# --- event order: same-minute updates keep the export's counter


def test_same_minute_updates_keep_the_export_counter(env):
    root, con = env
    rows = ["ticket_id,event_id,event_at,event_type,status,event_seq"]
    rows.append("T1,T1-0,2025-03-04T09:00:00Z,created,new,0")
    rows.extend(f"T1,T1-{n},2025-03-04T10:00:00Z,status_change,open,{n}" for n in range(1, 9))
    rows.append("T1,T1-10,2025-03-04T10:30:00Z,closed,closed,10")
    rows.append("T1,T1-9,2025-03-04T10:30:00Z,solved,solved,9")
    _land(root, "tickets", "t.csv", "\n".join(rows) + "\n")
    load_partition(con, TICKETS, DAY, "run-1")
    ordered = con.execute(
        "SELECT event_id FROM raw.ticket_events ORDER BY event_at, event_seq"
    ).fetchall()
    assert [r[0] for r in ordered][-2:] == ["T1-9", "T1-10"]
    # without a counter, the file's order
    _land(
        root,
        "tickets",
        "u.csv",
        "ticket_id,event_id,event_at,event_type\n"
        "U1,b,2025-03-04T09:00:00Z,created\nU1,a,2025-03-04T09:00:00Z,agent_reply\n",
    )
    load_partition(con, TICKETS, DAY, "run-2")
    seqs = dict(
        con.execute(
            "SELECT event_id, event_seq FROM raw.ticket_events WHERE ticket_id = 'U1'"
        ).fetchall()
    )
    assert seqs["b"] < seqs["a"]


# --- re-deliveries


def test_a_b_a_redelivery_the_latest_delivery_wins(env):
    root, con = env
    a = SURVEY_HEADER + "\nR1,rel,2025-03-04T10:00:00Z,web,9\n"
    b = SURVEY_HEADER + "\nR1,rel,2025-03-04T10:00:00Z,web,3\n"
    days = [date(2025, 3, 4), date(2025, 3, 5), date(2025, 3, 6), date(2025, 3, 7)]
    outcomes = []
    for day, text in zip(days, [a, b, a, a], strict=True):
        _land(root, "surveys", "s.csv", text, day)
        [r] = load_partition(con, SURVEYS, day, f"run-{day}")
        outcomes.append((r.loaded, r.duplicates))
    # A loads; B is a new version; A again is a new version (it supersedes B); the fourth
    # delivery equals the version in force: a duplicate.
    assert outcomes == [(1, 0), (1, 0), (1, 0), (0, 1)]
    latest = con.execute(
        "SELECT nps FROM raw.survey_responses ORDER BY _partition_date DESC LIMIT 1"
    ).fetchone()[0]
    assert latest == 9


def test_last_copy_in_a_file_is_the_one_kept(env):
    root, con = env
    text = (
        SURVEY_HEADER + "\nR1,rel,2025-03-04T10:00:00Z,web,9\nR1,rel,2025-03-04T10:00:00Z,web,3\n"
    )
    text += "R1,rel,2025-03-04T10:00:00Z,web,9\n"
    _land(root, "surveys", "s.csv", text)
    [r] = load_partition(con, SURVEYS, DAY, "run-1")
    assert (r.loaded, r.duplicates) == (2, 1)
    kept = con.execute(
        "SELECT nps FROM raw.survey_responses ORDER BY _record_number DESC LIMIT 1"
    ).fetchone()[0]
    assert kept == 9


def test_identical_redelivery_in_a_later_folder_loads_with_exit_0(tmp_path):
    _land(tmp_path, "surveys", "s.csv", _surveys("S", 40), date(2025, 3, 4))
    cli(tmp_path, "load", "--date", "2025-03-04")
    _land(tmp_path, "surveys", "s.csv", _surveys("S", 40), date(2025, 3, 5))
    result = cli(tmp_path, "load", "--date", "2025-03-05", check=False)
    assert result.returncode == 0, result.stdout
    assert "raw/survey_responses: read 40, loaded 0, quarantined 0, duplicates 40" in result.stdout
    assert "row_count_floor" not in result.stdout


# --- which profile


def test_two_matching_profiles_are_an_error_naming_both(env, monkeypatch):
    root, con = env
    profiles = root / "profiles"
    for name in ("one", "two"):
        _profile(profiles, name, "source: surveys\nmatch: ['acme*.csv']\n")
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    _land(root, "surveys", "acme.csv", _surveys("S", 2))
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert result.quarantined == 2
    [reason] = result.reasons
    assert "['one', 'two']" in reason and "acme.csv" in reason


def test_user_profile_over_builtin_is_chosen_with_a_note(env, monkeypatch):
    root, con = env
    profiles = root / "profiles"
    _profile(
        profiles,
        "my_servicenow",
        "source: tickets\nmatch: ['*servicenow*incident*.csv']\ncolumns:\n  ticket_id: number\n"
        "  event_id: upd\n  event_at: at\n  event_type: kind\n",
    )
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    _land(
        root,
        "tickets",
        "servicenow_incident.csv",
        "number,upd,at,kind\nI1,I1-1,2025-03-04T10:00:00Z,created\n",
    )
    [result] = load_partition(con, TICKETS, DAY, "run-1")
    assert result.profile == "my_servicenow" and result.loaded == 1
    assert "servicenow_incident" in result.note


# --- validate and load reach the same verdict on the same files

VERDICT_CASES = {
    # name: (file content, validate exit, verdict fragment)
    "clean": (_surveys("C", 40), 0, "verdict: loads cleanly"),
    "some_quarantined": (
        _surveys("Q", 39) + "QX,rel,2025-03-04T10:00:00Z,web,15\n",
        0,
        "loads with 1 of 40 rows quarantined (2.5%), within the 5% limit",
    ),
    "mostly_broken": (
        _surveys("M", 5) + "".join(f"MX{i},rel,2025-03-04T10:00:00Z,web,15\n" for i in range(5)),
        1,
        "would block the build: quarantine_share: 5 of 10 rows (50.0%) quarantined",
    ),
    "duplicate_key": (
        _surveys("D", 20) + "D1,rel,2025-03-04T11:00:00Z,web,3\n",
        1,
        "expect_column_values_to_be_unique(response_id) (error)",
    ),
}


@pytest.mark.parametrize("case", sorted(VERDICT_CASES))
def test_validate_and_load_agree(tmp_path, case):
    content, code, fragment = VERDICT_CASES[case]
    path = _land(tmp_path, "surveys", "s.csv", content)
    checked = cli(tmp_path, "validate", str(path), "--source", "surveys", check=False)
    assert checked.returncode == code, checked.stdout
    assert fragment in checked.stdout, checked.stdout
    assert "judged as the delivery of 2025-03-04 (landing folder)" in checked.stdout
    loaded = cli(tmp_path, "load", "--date", "2025-03-04", check=False)
    assert loaded.returncode == code, loaded.stdout
    assert ("NOT published" in loaded.stdout) == bool(code)


def test_validate_parses_offset_timestamps_as_the_loader_does(tmp_path, monkeypatch):
    profile = tmp_path / "zoned.yaml"
    profile.write_text(
        "name: zoned\nsource: surveys\ntimestamp_format: '%Y-%m-%d %H:%M:%S%z'\n"
        "timezone: America/New_York\n"
    )
    export = _land(
        tmp_path,
        "surveys",
        "z.csv",
        "response_id,submitted_at,nps\nZ1,2025-03-04 10:00:00+0100,9\n",
    )
    out = cli(
        tmp_path,
        "validate",
        str(export),
        "--source",
        "surveys",
        "--profile",
        str(profile),
        check=False,
    ).stdout
    assert "verdict: loads cleanly" in out, out
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    from cx_pipeline.ingest.loader import stage_file, store_file  # noqa: F401
    from cx_pipeline.ingest.profiles import load_profile

    staged = stage_file(con, SURVEYS, export, 0, DAY, load_profile(str(profile), "surveys"))
    at = con.execute(f"SELECT submitted_at AT TIME ZONE 'UTC' FROM {staged.checked}").fetchone()
    assert str(at[0]) == "2025-03-04 09:00:00"


# --- a corrected profile replaces what the file loaded, down to the marts


def _ticket_export():
    rows = ["Ref,Alt,Step,When,Kind,State"]
    for t in range(12):
        hour = 8 + t % 8
        rows.append(f"R{t},A{t},1,2025-03-04T{hour:02d}:00:00Z,created,new")
        rows.append(f"R{t},A{t},2,2025-03-04T{hour:02d}:20:00Z,agent_reply,pending")
        rows.append(f"R{t},A{t},3,2025-03-04T{hour:02d}:40:00Z,solved,solved")
    return "\n".join(rows) + "\n"


def _ticket_profile(folder, key_column):
    _profile(
        folder,
        "acme_tickets",
        "source: tickets\nmatch: ['acme*.csv']\ncolumns:\n"
        f"  ticket_id: {key_column}\n  event_id: \"sql: {key_column} || '-' || Step\"\n"
        "  event_at: When\n  event_type: Kind\n  status: State\n  event_seq: Step\n",
    )


def test_corrected_profile_replaces_the_old_keys_down_to_the_marts(tmp_path, monkeypatch):
    remapped, fresh = tmp_path / "remapped", tmp_path / "fresh"
    for data_dir in (remapped, fresh):
        _land(data_dir, "tickets", "acme.csv", _ticket_export())
    profiles = tmp_path / "profiles"
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    _ticket_profile(profiles, "Ref")
    cli(remapped, "load", "--date", "2025-03-04")
    _ticket_profile(profiles, "Alt")  # the ticket id was the wrong column
    result = cli(remapped, "load", "--date", "2025-03-04", check=False)
    assert result.returncode == 0, result.stdout
    cli(fresh, "load", "--date", "2025-03-04")
    warehouse = duckdb.connect(str(remapped / "warehouse" / "cx.duckdb"), read_only=True)
    tickets = warehouse.execute(
        "SELECT ticket_id FROM intermediate.int_tickets ORDER BY 1"
    ).fetchall()
    assert {t[0][0] for t in tickets} == {"A"} and len(tickets) == 12
    assert warehouse.execute("SELECT count(*) FROM staging.stg_ticket_events").fetchone()[0] == 36
    warehouse.close()
    con = duckdb.connect()
    con.execute(f"ATTACH '{remapped / 'published' / 'cx.duckdb'}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{fresh / 'published' / 'cx.duckdb'}' AS b (READ_ONLY)")
    for mart in ("mart_cx_kpis", "mart_agent_scorecard", "mart_customer_health"):
        differ = con.execute(
            f"SELECT count(*) FROM ((FROM a.marts.{mart} EXCEPT ALL FROM b.marts.{mart}) "
            f"UNION ALL (FROM b.marts.{mart} EXCEPT ALL FROM a.marts.{mart}))"
        ).fetchone()[0]
        assert differ == 0, mart
    created = con.execute(
        "SELECT value FROM a.marts.mart_cx_kpis WHERE kpi = 'tickets_created' AND grain = 'day' "
        "AND slice_name = 'all' AND period_start = DATE '2025-03-04'"
    ).fetchone()[0]
    assert created == 12


def test_file_order_is_not_content_a_copy_on_another_line_is_a_duplicate(env):
    root, con = env
    header = "ticket_id,event_id,event_at,event_type\n"
    row = "T1,T1-1,2025-03-04T09:00:00Z,created\n"
    _land(root, "tickets", "a.csv", header + row + "T1,T1-2,2025-03-04T09:05:00Z,agent_reply\n")
    _land(root, "tickets", "b.csv", header + "T2,T2-1,2025-03-04T09:00:00Z,created\n" + row)
    results = load_partition(con, TICKETS, DAY, "run-1")
    assert [(r.loaded, r.duplicates) for r in results] == [(2, 0), (1, 1)]
