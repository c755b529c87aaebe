"""`cx-pipeline report` and the report asset: bad inputs end in one line and exit 2, the
options shape the page, the headline tiles hold the marts' values (computed here with SQL
on the published file), and every publish rebuilds the page with its path and size in the
asset's metadata."""

import html
import re
from pathlib import Path

import dagster as dg
import duckdb
import markupsafe
import pytest

from tests.conftest import cli

HEADLINE = (
    "nps",
    "csat_top2_share",
    "ces_mean",
    "one_touch_rate",
    "first_reply_minutes_median",
    "sla_first_reply_attainment",
    "rating_mean",
)
REPORT_KEY = dg.AssetKey(["published", "cx_report"])


def _published(data_dir: Path) -> Path:
    return data_dir / "published" / "cx.duckdb"


def _tiles(page: str) -> dict[str, tuple[str, str]]:
    """kpi -> (data-value, the value shown) of every headline tile."""
    found = re.findall(
        r'<div class="tile" data-kpi="([a-z_0-9]+)" data-value="([^"]*)" data-n="\d+">\s*'
        r'<div class="label">.*?</div>\s*<div class="value">([^<]*)</div>',
        page,
        flags=re.S,
    )
    return {kpi: (value, html.unescape(shown)) for kpi, value, shown in found}


def _expected_headline(published: Path, grain: str) -> tuple[str, dict[str, float | None]]:
    """The latest period whose headline rows are all complete, else the latest one, and
    the marts' values there: worked out here, apart from the report's code."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        kpis = ", ".join(f"'{k}'" for k in HEADLINE)
        period = con.execute(
            f"SELECT coalesce(max(period_start) FILTER (WHERE complete), max(period_start)) "
            f"FROM (SELECT period_start, bool_and(is_complete_period) AS complete "
            f"FROM marts.mart_cx_kpis WHERE grain = ? AND slice_name = 'all' "
            f"AND kpi IN ({kpis}) GROUP BY 1)",
            [grain],
        ).fetchone()[0]
        values = dict(
            con.execute(
                f"SELECT kpi, value FROM marts.mart_cx_kpis WHERE grain = ? "
                f"AND slice_name = 'all' AND period_start = ? AND kpi IN ({kpis})",
                [grain, period],
            ).fetchall()
        )
    finally:
        con.close()
    return period.isoformat(), values


def test_the_report_asset_follows_the_publish_step():
    from cx_pipeline.definitions import defs

    repo = defs.get_repository_def()
    node = repo.asset_graph.get(REPORT_KEY)
    assert node.parent_keys == {dg.AssetKey(["published", "cx_marts"])}
    job_keys = repo.get_job("cx_daily").asset_layer.asset_graph.get_all_asset_keys()
    assert REPORT_KEY in job_keys


def test_every_publish_rebuilds_the_report_with_its_path_and_size(loaded_demo):
    report = loaded_demo / "published" / "cx_report.html"
    assert report.is_file()
    assert report.stat().st_mtime >= _published(loaded_demo).stat().st_mtime
    instance = dg.DagsterInstance.from_config(str(loaded_demo / "dagster_home"))
    event = instance.get_latest_materialization_event(REPORT_KEY)
    assert event is not None
    metadata = event.asset_materialization.metadata
    # The demo build ran in another folder: the path is the build's, the size this copy's.
    assert Path(metadata["path"].value).name == "cx_report.html"
    assert metadata["size_bytes"].value == report.stat().st_size
    published_event = instance.get_latest_materialization_event(
        dg.AssetKey(["published", "cx_marts"])
    )
    assert event.run_id == published_event.run_id
    assert event.timestamp >= published_event.timestamp


@pytest.mark.parametrize("grain", ["week", "month"])
def test_headline_tiles_hold_the_marts_values(loaded_demo, tmp_path, grain):
    out = tmp_path / f"{grain}.html"
    result = cli(loaded_demo, "report", "--out", str(out), "--grain", grain)
    assert f"report: {out}" in result.stdout
    page = out.read_text(encoding="utf-8")
    period, expected = _expected_headline(_published(loaded_demo), grain)
    assert f'data-report-period="{period}"' in page
    tiles = _tiles(page)
    assert set(tiles) == set(HEADLINE)
    for kpi, (value, shown) in tiles.items():
        if expected.get(kpi) is None:
            assert (value, shown) == ("", "no data"), kpi
            continue
        assert float(value) == pytest.approx(expected[kpi], rel=1e-12, abs=1e-12), kpi
    nps = expected["nps"]
    assert tiles["nps"][1] == f"{nps:+.1f}"
    assert tiles["csat_top2_share"][1] == f"{expected['csat_top2_share']:.1%}"


def test_options_choose_grain_range_and_brand(loaded_demo, tmp_path):
    con = duckdb.connect(str(_published(loaded_demo)), read_only=True)
    competitor, competitor_rating = con.execute(
        "SELECT slice_value, value FROM marts.mart_cx_kpis WHERE grain = 'week' "
        "AND kpi = 'rating_mean' AND slice_name = 'brand' AND slice_value NOT IN "
        "(SELECT own_brand FROM marts.mart_benchmarks) ORDER BY 1 LIMIT 1"
    ).fetchone()
    con.close()
    out = tmp_path / "brand.html"
    cli(loaded_demo, "report", "--out", str(out), "--brand", competitor)
    page = out.read_text(encoding="utf-8")
    assert f'data-report-brand="{competitor}"' in page
    assert float(_tiles(page)["rating_mean"][0]) == pytest.approx(competitor_rating)

    out = tmp_path / "range.html"
    cli(
        loaded_demo,
        *("report", "--out", str(out), "--grain", "month"),
        *("--from", "2025-03-01", "--to", "2025-03-31"),
    )
    page = out.read_text(encoding="utf-8")
    assert 'data-report-grain="month"' in page and 'data-report-period="2025-03-01"' in page
    # Self-contained: no script, style, font or image is fetched from anywhere.
    # (What the inline scripts hold is code, not elements of the page.)
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)
    assert markup.count("<script") == page.count("<script")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", markup)
    assert "connect-src 'none'" in page

    # Without --out: CX_REPORT_PATH, else the published folder.
    default = tmp_path / "default.html"
    cli(loaded_demo, "report", env={"CX_REPORT_PATH": str(default)})
    assert default.is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--brand", "No Such Brand"], "brand 'No Such Brand' is not in the marts (known: "),
        (["--from", "2030-01-01"], "no week starts between 2030-01-01 and "),
        (["--from", "2025-02-30"], "--from '2025-02-30' is not a date (YYYY-MM-DD)"),
        (["--from", "2025-03-05", "--to", "2025-03-01"], "is after --to 2025-03-01"),
    ],
)
def test_bad_requests_end_in_one_line_and_exit_2(loaded_demo, tmp_path, args, message):
    out = tmp_path / "r.html"
    result = cli(loaded_demo, "report", "--out", str(out), *args, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert not out.exists()


def test_missing_or_empty_published_file_ends_in_one_line_and_exit_2(tmp_path):
    missing = cli(tmp_path, "report", check=False)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'published' / 'cx.duckdb'} does not exist yet: run "
        "`cx-pipeline load` (or `make demo`) first"
    ]
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "cx.duckdb").write_bytes(b"")
    empty = cli(tmp_path, "report", check=False)
    assert empty.returncode == 2
    assert empty.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'published' / 'cx.duckdb'} is empty: it is not a published build"
    ]
    (tmp_path / "published" / "cx.duckdb").write_bytes(b"not a database at all" * 100)
    garbage = cli(tmp_path, "report", check=False)
    assert garbage.returncode == 2 and "cannot be opened as DuckDB" in garbage.stderr
    assert "Traceback" not in garbage.stderr
    # A DuckDB file without marts (a warehouse never published into).
    (tmp_path / "published" / "cx.duckdb").unlink()
    duckdb.connect(str(tmp_path / "published" / "cx.duckdb")).close()
    bare = cli(tmp_path, "report", check=False)
    assert bare.returncode == 2 and "holds no published marts" in bare.stderr


def _loop_tiles(page: str) -> dict[str, str]:
    """measure -> data-value of the closing-the-loop tiles."""
    return dict(re.findall(r'<div class="tile" data-loop="([a-z_]+)" data-value="([^"]*)"', page))


def _first_suggestion_row(page: str) -> str:
    table = page.split('<table class="voice-suggestions">', 1)[1].split("</table>", 1)[0]
    return re.search(r"<tr data-rank=.*?</tr>", table, flags=re.S).group(0)


def test_voice_of_the_customer_shows_the_marts_loop_figures_and_first_suggestion(
    loaded_demo, tmp_path
):
    out = tmp_path / "voice.html"
    cli(loaded_demo, "report", "--out", str(out))
    page = out.read_text(encoding="utf-8")
    period = page.split('data-report-period="', 1)[1][:10]
    con = duckdb.connect(str(_published(loaded_demo)), read_only=True)
    try:
        # The rates from their counts, apart from the mart's own rate columns.
        loop = con.execute(
            "SELECT followed_up / nullif(followed_up + not_followed_up, 0), "
            "followup_hours_median, recovered / nullif(with_next_response, 0), "
            "followup_rate, recovery_rate FROM marts.mart_closed_loop "
            "WHERE grain = 'week' AND segment = 'all' AND period_start = ?",
            [period],
        ).fetchone()
        listed = con.execute("SELECT count(*) FROM marts.mart_followup_actions").fetchone()[0]
        action_keys = [
            k
            for (k,) in con.execute(
                "SELECT customer_key FROM marts.mart_followup_actions"
            ).fetchall()
        ]
        # The priority rule of docs/methodology.md, "suggestion_priority", from its parts.
        first = con.execute(
            "SELECT suggestion, customer_key, priority_rank FROM marts.mart_suggestions "
            "ORDER BY 3 * churn_risk::int + 2 * is_vip::int "
            "+ coalesce(latest_nps_category = 'detractor', false)::int "
            "+ is_frequent_theme::int DESC, same_theme_suggestions DESC, submitted_at DESC, "
            "response_id LIMIT 1"
        ).fetchone()
    finally:
        con.close()

    tiles = _loop_tiles(page)
    assert set(tiles) == {
        "followup_rate",
        "followup_hours_median",
        "recovery_rate",
        "customers_listed_for_action",
    }
    assert loop is not None, "the headline week has no closed-loop row"
    followup, hours, recovery, followup_mart, recovery_mart = loop
    for measure, expected, mart in (
        ("followup_rate", followup, followup_mart),
        ("followup_hours_median", hours, hours),
        ("recovery_rate", recovery, recovery_mart),
    ):
        assert (expected is None) == (mart is None), measure
        if expected is None:
            assert tiles[measure] == "", measure
        else:
            assert float(tiles[measure]) == pytest.approx(expected, rel=1e-12), measure
    assert int(tiles["customers_listed_for_action"]) == listed

    assert first is not None, "the demo has no suggestion"
    text, key, rank = first
    assert rank == 1
    row = _first_suggestion_row(page)
    assert str(markupsafe.escape(text)) in row
    assert f"<code>{key[:16]}…</code>" in row
    # Hashed ids only, and only their first 16 hex digits.
    for full_key in [key, *action_keys]:
        assert full_key not in page
