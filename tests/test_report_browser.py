"""The report in a real browser: headless Chromium opens it from file:// with networking
disabled, and the page draws every chart without a console error or any request, showing
the marts' headline values."""

import duckdb
import pytest

from cx_pipeline.report.browser import executables, inspect
from tests.conftest import cli

pytestmark = pytest.mark.skipif(
    executables() is None,
    reason="chromium and chromedriver are not installed (.ci/run installs them: apt-get "
    "install chromium chromium-driver)",
)


def test_the_report_renders_offline_in_chromium(loaded_demo, tmp_path):
    out = tmp_path / "report.html"
    cli(loaded_demo, "report", "--out", str(out))
    seen = inspect(out)

    assert seen.rendered, "the charts never finished rendering"
    assert seen.console_errors == []
    assert seen.requests == []
    assert seen.chart_marks, "no chart on the page"
    assert all(count > 0 for count in seen.chart_marks.values()), seen.chart_marks
    # What is not drawn says why in the page (a data-empty-chart block), never a blank.
    assert not set(seen.empty_charts) & set(seen.chart_marks)
    assert {"trends", "benchmarks", "themes", "quarantine"} <= set(seen.chart_marks)
    voice = {"voice_themes", "voice_nps_mix", "closed_loop", "expectations"}
    assert voice <= set(seen.chart_marks), seen.empty_charts

    period = out.read_text(encoding="utf-8").split('data-report-period="', 1)[1][:10]
    con = duckdb.connect(str(loaded_demo / "published" / "cx.duckdb"), read_only=True)
    expected = dict(
        con.execute(
            "SELECT kpi, value FROM marts.mart_cx_kpis WHERE grain = 'week' "
            "AND slice_name = 'all' AND period_start = ?",
            [period],
        ).fetchall()
    )
    con.close()
    assert len(seen.tiles) == 7
    for kpi, tile in seen.tiles.items():
        if expected.get(kpi) is None:
            assert tile["shown"] == "no data", kpi
        else:
            assert float(tile["value"]) == pytest.approx(expected[kpi], rel=1e-12), kpi
    assert seen.tiles["nps"]["shown"] == f"{expected['nps']:+.1f}"
