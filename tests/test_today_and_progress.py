"""A delivery of today loads today; refused dates fail in one line; a load shows its
progress on stderr (plain lines when stderr is not a terminal) unless --quiet."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import cli

from cx_pipeline.instance.progress import Progress

TODAY = datetime.now(UTC).date()


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """Two days of 2025 and today's delivery: the partitions start on 2025-03-03."""
    data_dir = tmp_path_factory.mktemp("cx_today")
    gen = ["generate", "--scale", "0.2", "--seed", "5"]
    cli(data_dir, *gen, "--start", "2025-03-03", "--days", "2")
    cli(data_dir, *gen, "--start", TODAY.isoformat(), "--days", "1")
    return data_dir


@pytest.fixture(scope="module")
def loads(landed):
    """Today's delivery, then the two days of 2025 with --quiet: the published marts the
    headline reads are the build of all three days."""
    today = cli(landed, "load", "--date", TODAY.isoformat())
    quiet = cli(landed, "load", "--start", "2025-03-03", "--end", "2025-03-04", "--quiet")
    return today, quiet


def test_todays_folder_loads_today_with_progress_lines(loads):
    result = loads[0]
    assert "published:" in result.stdout
    err = result.stderr
    assert re.search(r"^\[\d\d:\d\d\] step raw__survey_responses started$", err, re.M), err
    assert re.search(
        r"^\[\d\d:\d\d\] step raw__survey_responses finished in \d+\.\d s "
        r"\(read \d+, loaded \d+, quarantined \d+",
        err,
        re.M,
    ), err
    assert re.search(r"step cx_dbt_models finished in .*\d+ models built", err), err
    assert re.search(r"^\[\d\d:\d\d\] dbt: \d+/\d+ nodes$", err, re.M), err  # not a terminal
    assert "\r" not in err
    assert "Traceback" not in err


def test_quiet_prints_the_summary_only(loads):
    result = loads[1]
    assert "published:" in result.stdout
    assert "raw/survey_responses: read" in result.stdout
    assert re.search(r"load took \d+\.\d+s", result.stdout)
    assert not re.search(r"^\[\d\d:\d\d\]", result.stderr, re.M), result.stderr


def test_headline_kpis_of_the_published_marts(landed, loads, monkeypatch):
    from cx_pipeline.cli.demo import demo_summary

    monkeypatch.setenv("CX_DATA_DIR", str(landed))
    lines = demo_summary(str(landed))
    text = "\n".join(lines)
    assert lines[0].startswith("Headline KPIs, "), text
    for label in ("NPS", "CSAT top-2 share", "first reply, median", "review rating"):
        assert re.search(rf"^  {re.escape(label)} .*\(n \d+\)$", text, re.M), text
    assert "http://localhost:3000" in text
    assert "cx-pipeline sql --data-dir" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "2025-03-05"], "no landing folder for 2025-03-05"),
        # two days ahead: still in the future when the run crosses midnight UTC
        (["--date", (TODAY + timedelta(days=2)).isoformat()], "is in the future"),
        (["--date", "2025-03-02"], "before the first partition 2025-03-03"),
        (["--date", "2025-02-30"], "is not a date"),
        (["--start", "2025-03-04", "--end", "2025-03-03"], "is after --end"),
        (["--start", "2025-01-01", "--end", "2025-03-04"], "before the first partition"),
        (["--start", "2025-03-03"], "--start and --end go together"),
    ],
)
def test_refused_dates_fail_in_one_line(landed, args, message):
    result = cli(landed, "load", *args, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert "Traceback" not in result.stderr


def test_validate_of_a_missing_file_fails_in_one_line(tmp_path):
    result = cli(
        tmp_path, "validate", str(tmp_path / "nope.csv"), "--source", "surveys", check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: no such file: {tmp_path / 'nope.csv'}"


class _Terminal:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return True


def test_on_a_terminal_one_progress_line_is_rewritten():
    term = _Terminal()
    progress = Progress(stream=term)
    for done in range(1, 5):
        progress.advance("raw/ticket_events", done, 4, "days")
    progress.line("step raw__ticket_events finished in 1.0 s")
    progress.close()
    assert term.text.count("\n") == 1  # the finished line; the bar was rewritten in place
    assert "[" + "#" * 24 + "] 4/4 days" in term.text
    assert term.text.count("\r\x1b[K") >= 4
