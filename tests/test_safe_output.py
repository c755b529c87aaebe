"""Output that cannot be turned against its reader: CSV a spreadsheet opens without running
formulas, HTML with every text escaped, e-mails in plain text."""

import csv
import io

import duckdb
from conftest import cli

from cx_pipeline.alerts import Alert
from cx_pipeline.alerts.digest import Digest
from cx_pipeline.alerts.sinks import SmtpSettings, email_message
from cx_pipeline.warehouse.publish_copy import publish
from cx_pipeline.warehouse.query import csv_cell, render

# (A carriage return is tested in process: the subprocess's text mode would translate it.)
SEGMENTS = ["=1+1", "+SUM(A1)", "@cmd", "-2+3", "\t=x", "-3.5", "plain", "<script>"]
QUERY = (
    "SELECT slice_value AS segment, value, n FROM marts.mart_cx_kpis "
    "WHERE kpi = 'nps' ORDER BY position"
)


def _published(tmp_path):
    """A data directory whose published file was made by the real publish step from a
    warehouse holding hostile segment names."""
    data_dir = tmp_path / "data"
    warehouse = data_dir / "warehouse" / "cx.duckdb"
    warehouse.parent.mkdir(parents=True)
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.mart_cx_kpis (position INTEGER, kpi VARCHAR, slice_name VARCHAR, "
        "slice_value VARCHAR, value DOUBLE, n BIGINT)"
    )
    for position, segment in enumerate(SEGMENTS):
        value = -3.5 if position % 2 else 12.25
        con.execute(
            "INSERT INTO marts.mart_cx_kpis VALUES (?, 'nps', 'segment', ?, ?, ?)",
            [position, segment, value, -position],
        )
    con.close()
    publish(warehouse, data_dir / "published" / "cx.duckdb")
    return data_dir


def test_csv_escapes_formula_text_and_leaves_numbers(tmp_path):
    data_dir = _published(tmp_path)
    out = cli(data_dir, "sql", QUERY, "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["segment", "value", "n"]
    by_segment = {segment: row for segment, row in zip(SEGMENTS, rows[1:], strict=True)}
    assert by_segment["=1+1"][0] == "'=1+1"
    assert by_segment["+SUM(A1)"][0] == "'+SUM(A1)"
    assert by_segment["@cmd"][0] == "'@cmd"
    assert by_segment["-2+3"][0] == "'-2+3"
    assert by_segment["\t=x"][0] == "'\t=x"
    # Text that is exactly a number is read as that number by a spreadsheet: left alone.
    assert by_segment["-3.5"][0] == "-3.5"
    assert by_segment["plain"][0] == "plain"
    # Numeric columns are never altered, negative ones included.
    assert [row[1] for row in rows[1:]] == ["12.25", "-3.5"] * 4
    assert [row[2] for row in rows[1:]] == ["0"] + [str(-i) for i in range(1, len(SEGMENTS))]
    # A header is text as well.
    header = cli(data_dir, "sql", 'SELECT 1 AS "=HYPERLINK(1)"', "--format", "csv").stdout
    assert header.splitlines() == ["'=HYPERLINK(1)", "1"]


def test_csv_cell_rule():
    assert csv_cell("\r=1") == "'\r=1"
    assert csv_cell("-1e5") == "-1e5" and csv_cell("+3") == "+3" and csv_cell("-.5") == "-.5"
    assert csv_cell("-1e5+A1") == "'-1e5+A1" and csv_cell("-") == "'-"
    assert csv_cell(-3.5) == -3.5 and csv_cell(None) is None
    assert render(["a"], [("=1",)], "csv", raw_csv=True) == "a\n=1"


def test_raw_csv_prints_text_as_stored(tmp_path):
    data_dir = _published(tmp_path)
    out = cli(data_dir, "sql", QUERY, "--format", "csv", "--raw-csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert [row[0] for row in rows[1:]] == SEGMENTS


def test_html_escapes_every_text(tmp_path):
    data_dir = _published(tmp_path)
    query = (
        "SELECT '<script>alert(1)</script>' AS \"<b>x</b>\", slice_value FROM "
        "marts.mart_cx_kpis WHERE slice_value = '<script>'"
    )
    out = cli(data_dir, "sql", query, "--format", "html").stdout
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<th>&lt;b&gt;x&lt;/b&gt;</th>" in out
    assert out.startswith("<table>")


def test_table_output_shows_control_characters(tmp_path):
    data_dir = _published(tmp_path)
    out = cli(data_dir, "sql", "SELECT 'a' || chr(27) || '[2Jb' AS t").stdout
    assert "\x1b" not in out and "a\\x1b[2Jb" in out


def test_alert_emails_are_plain_text():
    alert = Alert(
        "check_failed", "raw/<script>", "2025-03-03", "x", "ERROR", "<script>alert(1)</script>", ""
    )
    smtp = SmtpSettings("localhost", 25, "a@b", ("c@d",), None, None, False, False)
    message = email_message(Digest(alert.run_id, [alert]), smtp)
    # No HTML part anywhere, so no mail client renders the alert's text as markup.
    assert [part.get_content_type() for part in message.walk()] == ["text/plain"]
