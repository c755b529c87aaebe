"""A month-precise response, delivered in an Excel workbook, through a real load (Dagster,
dbt) into the published mart_cx_kpis: it counts in its month, in no day and no week."""

from datetime import date

import duckdb
import openpyxl
from conftest import cli

DAY = "2025-03-03"


def test_month_precise_response_is_in_the_month_row_only(tmp_path, monkeypatch):
    folder = tmp_path / "landing" / "surveys" / DAY
    folder.mkdir(parents=True)
    (folder / "exact.csv").write_text(
        "response_id,submitted_at,nps\nE1,2025-03-03T10:00:00Z,9\nE2,2025-03-01T10:00:00Z,3\n",
        encoding="utf-8",
    )
    book = openpyxl.Workbook()
    book.active.append(["id", "when", "nps"])
    book.active.append(["M1", "Mar 2025", 0])  # known only to the month
    book.active.append(["Y1", "Yesterday", 10])  # the day before the delivery: 2025-03-02
    book.save(folder / "panel_march.xlsx")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "panel.yaml").write_text(
        "name: panel\nsource: surveys\nmatch: ['panel_*.xlsx']\n"
        "date_formats: ['%b %Y']\nrelative_dates: true\n"
        "columns:\n  response_id: id\n  submitted_at: when\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    monkeypatch.setenv("CX_DBT_TARGET_PATH", str(tmp_path / "dbt_target"))
    cli(tmp_path, "load", "--all")
    con = duckdb.connect(str(tmp_path / "published" / "cx.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT grain, period_start, kpi, value FROM marts.mart_cx_kpis "
        "WHERE slice_name = 'all' AND kpi IN ('survey_responses', 'nps_detractors') "
        "ORDER BY grain, period_start, kpi"
    ).fetchall()
    con.close()
    assert rows == [
        ("day", date(2025, 3, 1), "nps_detractors", 1.0),
        ("day", date(2025, 3, 1), "survey_responses", 1.0),
        ("day", date(2025, 3, 2), "nps_detractors", 0.0),
        ("day", date(2025, 3, 2), "survey_responses", 1.0),
        ("day", date(2025, 3, 3), "nps_detractors", 0.0),
        ("day", date(2025, 3, 3), "survey_responses", 1.0),
        ("month", date(2025, 3, 1), "nps_detractors", 2.0),
        ("month", date(2025, 3, 1), "survey_responses", 4.0),
        ("week", date(2025, 2, 24), "nps_detractors", 1.0),
        ("week", date(2025, 2, 24), "survey_responses", 2.0),
        ("week", date(2025, 3, 3), "nps_detractors", 0.0),
        ("week", date(2025, 3, 3), "survey_responses", 1.0),
    ]
