"""The voice-of-the-customer marts on real surveys: the ECSI mobile-phone survey and the
SERVQUAL items of Bliemel (2004), loaded together through the CLI, build and publish
without error (docs/methodology.md, "Feedback themes" and after). Neither export has free
text, respondent ids or expectation items, so the marts may be empty; what is tested is
that such exports run through. Skipped, with a message, where ../shared/realdata is absent."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from conftest import REALDATA, cli

FILES = ("ecsi_mobile_phone.csv", "servqual_items_bliemel2004.csv")
DAY = "2010-06-01"
MARTS = (
    "mart_feedback_themes",
    "mart_suggestions",
    "mart_expectations_above_standard",
    "mart_closed_loop",
    "mart_followup_actions",
)

pytestmark = pytest.mark.skipif(
    not all((REALDATA / "surveys" / f).is_file() for f in FILES),
    reason=f"real surveys not found in {REALDATA / 'surveys'} (shared/realdata)",
)


def test_real_ecsi_and_servqual_surveys_run_through_the_voice_marts(tmp_path):
    folder = tmp_path / "landing" / "surveys" / DAY
    folder.mkdir(parents=True)
    for name in FILES:
        # copies: the landing folder refuses symbolic links
        shutil.copyfile(REALDATA / "surveys" / name, folder / name)
    completed = cli(tmp_path, "load", "--date", DAY)
    assert "NOT published" not in completed.stdout
    con = duckdb.connect(str(tmp_path / "published" / "cx.duckdb"), read_only=True)
    try:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
        assert set(MARTS) <= tables
        responses = con.execute(
            "SELECT sum(value) FROM marts.mart_cx_kpis WHERE kpi = 'survey_responses' "
            "AND grain = 'month' AND slice_name = 'all'"
        ).fetchone()[0]
        assert responses == 250 + 411
        for mart in MARTS:
            con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()
    finally:
        con.close()
