"""The landing folder as a boundary, and record times that cannot be right: files still
being written wait for the next run, times before the floor are quarantined, local times a
clock change makes ambiguous or skips follow one documented rule, and a failed step says
why on the command line."""

from __future__ import annotations

import threading
import time
from datetime import date

import duckdb
from conftest import cli

from cx_pipeline.ingest.canonical import SURVEYS
from cx_pipeline.ingest.loader import load_partition

DAY = date(2025, 3, 2)
HEADER = "response_id,submitted_at,nps\n"


def _folder(root, source="surveys", day=DAY):
    folder = root / "landing" / source / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_file_still_being_written_is_left_for_the_next_run(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CX_LANDING_SETTLE_SECONDS", "1")
    path = _folder(tmp_path) / "growing.csv"
    path.write_text(HEADER)
    done = threading.Event()

    def writer():
        for i in range(12):
            with open(path, "a") as handle:
                handle.write(f"G{i},2025-03-02T10:00:00Z,9\n")
            time.sleep(0.2)
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    [first] = load_partition(con, SURVEYS, DAY, "run-1")
    assert first.skipped and "still being written" in first.skipped
    assert first.read == 0
    thread.join()
    time.sleep(1.1)
    [second] = load_partition(con, SURVEYS, DAY, "run-2")
    assert (second.skipped, second.loaded) == (None, 12)


def test_the_record_time_floor_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    (_folder(tmp_path) / "old.csv").write_text(HEADER + "O1,1995-06-01T10:00:00Z,9\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert result.reasons == {"submitted_at before 2000-01-01 (CX_RECORD_TIME_FLOOR)": 1}
    monkeypatch.setenv("CX_RECORD_TIME_FLOOR", "1990-01-01")
    [result] = load_partition(con, SURVEYS, DAY, "run-2")
    assert result.loaded == 1


def test_local_times_a_clock_change_makes_ambiguous_or_skips(tmp_path, monkeypatch):
    """Ambiguous (the hour the clocks go back, twice): the later, standard-time instant.
    Non-existent (the hour the clocks skip): read with the offset before the change, i.e.
    moved forward by the gap. docs/sources.md, "Time zones and clock changes"."""
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "desk.yaml").write_text(
        "name: desk\nsource: surveys\nmatch: ['desk*.csv']\n"
        "timestamp_format: '%Y-%m-%d %H:%M'\ntimezone: America/New_York\n"
    )
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    (_folder(tmp_path) / "desk.csv").write_text(
        HEADER + "A,2025-11-02 01:30,9\nN,2025-03-09 02:30,9\nP,2025-03-09 01:59,9\n"
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_partition(con, SURVEYS, DAY, "run-1")
    utc = dict(
        con.execute(
            "SELECT response_id, strftime(submitted_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') "
            "FROM raw.survey_responses"
        ).fetchall()
    )
    assert utc == {
        "A": "2025-11-02 06:30",  # 01:30 EST (-5), the second 01:30 of the night
        "N": "2025-03-09 07:30",  # 02:30 does not exist: as EST, i.e. 03:30 EDT
        "P": "2025-03-09 06:59",  # the minute before the gap, EST
    }


def test_a_failed_step_says_why_on_the_command_line(tmp_path):
    (_folder(tmp_path) / "s.csv").write_text(HEADER + "S1,2025-03-02T10:00:00Z,9\n")
    (tmp_path / "published").write_text("a file where the published folder should be\n")
    result = cli(tmp_path, "load", "--date", DAY.isoformat(), check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    [line] = [x for x in result.stdout.splitlines() if x.startswith("FAILED step published")]
    assert "published" in line and ("File exists" in line or "Not a directory" in line), line


def test_validate_says_a_load_would_not_read_a_linked_or_hidden_file(tmp_path):
    folder = _folder(tmp_path)
    real = tmp_path / "export.csv"
    real.write_text(HEADER + "S1,2025-03-02T10:00:00Z,9\n")
    (folder / "linked.csv").symlink_to(real)
    (folder / ".hidden.csv").write_text(HEADER + "S2,2025-03-02T10:00:00Z,9\n")
    for name, why in (("linked.csv", "symbolic link"), (".hidden.csv", "hidden file")):
        result = cli(tmp_path, "validate", str(folder / name), "--source", "surveys", check=False)
        assert result.returncode == 1, result.stdout
        assert f"verdict: a load would not read it: a {why}" in result.stdout
