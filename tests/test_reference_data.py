"""A deployment's own reference data (CX_REFERENCE_DIR) replace the packaged seeds per file,
through a real load: picked up, checked before the build, and a change rebuilds every
incremental model so that no day keeps values of the old reference data."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, cli

from cx_pipeline.warehouse import reference

SEEDS = ROOT / "dbt_project" / "seeds"
GENERATE = ("generate", "--start", "2025-03-03", "--days", "2", "--scale", "0.2", "--seed", "5")

# Business-time KPIs: the ones the business_hours and holidays seeds decide.
BUSINESS_KPIS = (
    "first_reply_business_minutes_median",
    "resolution_business_hours_median",
    "sla_first_reply_attainment",
)

# The Lisbon desk opens 07:00-20:00 and closes on Tuesday 4 March (a local holiday);
# phone tickets go to a New York desk.
OWN_HOURS = "schedule,timezone,iso_weekday,open_time,close_time\n" + "".join(
    f"support_desk,Europe/Lisbon,{d},07:00:00,20:00:00\n"
    f"ny_desk,America/New_York,{d},09:00:00,17:00:00\n"
    for d in range(1, 6)
)
OWN_HOLIDAYS = "schedule,holiday_date,holiday_name\nsupport_desk,2025-03-04,Carnaval\n"
OWN_ASSIGNMENTS = "match_order,match_column,match_value,schedule\n1,channel,phone,ny_desk\n"
# Contoso, not Northwind, is the own brand.
OWN_BRANDS = (
    "brand,is_own,industry,aliases\n"
    "Northwind,false,consumer_tech,\n"
    "Contoso,true,consumer_tech,\n"
    "Fabrikam,false,consumer_tech,\n"
    "Tailspin,false,consumer_tech,\n"
)


def _published(data_dir: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "published" / "cx.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _business_kpis(data_dir: Path) -> list[tuple]:
    names = ", ".join(f"'{k}'" for k in BUSINESS_KPIS)
    return _published(
        data_dir,
        "SELECT grain, period_start, kpi, slice_name, slice_value, round(value, 9), n "
        f"FROM marts.mart_cx_kpis WHERE kpi IN ({names}) ORDER BY ALL",
    )


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> Path:
    """The small data set loaded with the packaged seeds only."""
    data_dir = tmp_path_factory.mktemp("packaged")
    cli(data_dir, *GENERATE)
    cli(data_dir, "load", "--all", env={"CX_REFERENCE_DIR": None})
    return data_dir


def test_reference_folder_replaces_seeds_and_an_edit_rebuilds_every_day(packaged, tmp_path):
    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / "business_hours.csv").write_text(OWN_HOURS)
    (ref / "holidays.csv").write_text(OWN_HOLIDAYS)
    (ref / "business_schedule_assignments.csv").write_text(OWN_ASSIGNMENTS)
    (ref / "brands.csv").write_text(OWN_BRANDS)
    env = {"CX_REFERENCE_DIR": str(ref)}
    data_dir = tmp_path / "data"
    cli(data_dir, *GENERATE)
    first = cli(data_dir, "load", "--all", env=env)
    assert "published:" in first.stdout, first.stdout

    # Business hours and holidays: other business-time KPIs than the packaged desk's.
    assert _business_kpis(data_dir) != _business_kpis(packaged)
    # Absent files fall back to the packaged ones: the standards are the package's.
    assert _published(
        data_dir, "SELECT count(*) FROM marts.mart_cx_kpis WHERE kpi = 'sla_first_reply_attainment'"
    ) == _published(
        packaged, "SELECT count(*) FROM marts.mart_cx_kpis WHERE kpi = 'sla_first_reply_attainment'"
    )
    # Brands: the benchmarks are Contoso's.
    assert _published(data_dir, "SELECT DISTINCT own_brand FROM marts.mart_benchmarks") == [
        ("Contoso",)
    ]
    assert _published(packaged, "SELECT DISTINCT own_brand FROM marts.mart_benchmarks") == [
        ("Northwind",)
    ]
    warehouse = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        schedules = dict(
            warehouse.execute(
                "SELECT coalesce(channel = 'phone', false), list_distinct(list(business_schedule)) "
                "FROM intermediate.int_tickets GROUP BY ALL"
            ).fetchall()
        )
        # Monday 3 March at the Lisbon desk: open 07:00-20:00 (WET = UTC).
        monday = warehouse.execute(
            "SELECT min(open_at)::VARCHAR, max(close_at)::VARCHAR FROM "
            "intermediate.int_business_calendar "
            "WHERE schedule = 'support_desk' AND local_date = '2025-03-03'"
        ).fetchone()
        tuesday = warehouse.execute(
            "SELECT count(*) FROM intermediate.int_business_calendar "
            "WHERE schedule = 'support_desk' AND local_date = '2025-03-04'"
        ).fetchone()[0]
    finally:
        warehouse.close()
    assert schedules == {True: ["ny_desk"], False: ["support_desk"]}
    assert monday == ("2025-03-03 07:00:00+00", "2025-03-03 20:00:00+00")
    assert tuesday == 0

    # Back to the packaged hours, holidays and single desk (brands stay the deployment's),
    # with a load of a day that brings no file: the build is not skipped as "nothing new",
    # and days the run does not deliver are rebuilt too, so every business-time KPI is the
    # packaged one again.
    shutil.copy(SEEDS / "business_hours.csv", ref / "business_hours.csv")
    (ref / "holidays.csv").unlink()
    (ref / "business_schedule_assignments.csv").unlink()
    # An empty landing folder: a day delivered with no file (a day without any folder is
    # refused by `load --date`).
    (data_dir / "landing" / "tickets" / "2025-03-06").mkdir(parents=True, exist_ok=True)
    (data_dir / "landing" / "tickets" / "2025-03-07").mkdir(parents=True, exist_ok=True)
    again = cli(data_dir, "load", "--date", "2025-03-06", env=env)
    assert "skipped" not in again.stdout, again.stdout
    assert "published:" in again.stdout, again.stdout
    assert _business_kpis(data_dir) == _business_kpis(packaged)
    assert _published(data_dir, "SELECT DISTINCT own_brand FROM marts.mart_benchmarks") == [
        ("Contoso",)
    ]
    refreshes = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        assert refreshes.execute(
            "SELECT full_refresh FROM audit.reference_state ORDER BY built_at"
        ).fetchall() == [(True,), (True,)]
    finally:
        refreshes.close()

    # Nothing changed since: the next empty day is skipped again.
    idle = cli(data_dir, "load", "--date", "2025-03-07", env=env)
    assert "dbt build and publish skipped" in idle.stdout, idle.stdout


@pytest.mark.parametrize(
    ("file_name", "content", "expected"),
    [
        (
            "business_hours.csv",
            "schedule,iso_weekday,open_time,close_time\nsupport_desk,1,09:00:00,17:00:00\n",
            "business_hours.csv: column 'timezone' is missing",
        ),
        (
            "business_hours.csv",
            "schedule,timezone,iso_weekday,open_time,close_time\n"
            "support_desk,Europe/Lisbon,1,09:00:00,17:00:00\n"
            "support_desk,Europe/Lisbon,2,9am,17:00:00\n",
            "business_hours.csv: column 'open_time' line 3: '9am' is not a time",
        ),
        (
            "brands.csv",
            "brand,is_own,industry,aliases\nNorthwind,sometimes,consumer_tech,\n",
            "brands.csv: column 'is_own' line 2: 'sometimes' is not a boolean",
        ),
        (
            "busines_hours.csv",
            "schedule,timezone,iso_weekday,open_time,close_time\n",
            "busines_hours.csv: not a reference file name",
        ),
    ],
)
def test_a_malformed_reference_file_stops_the_load_with_one_line(
    tmp_path, file_name, content, expected
):
    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / file_name).write_text(content)
    data_dir = tmp_path / "data"
    cli(data_dir, *GENERATE)
    completed = cli(data_dir, "load", "--all", check=False, env={"CX_REFERENCE_DIR": str(ref)})
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr + completed.stdout
    errors = [line for line in completed.stderr.splitlines() if not line.startswith("WARNING")]
    assert len(errors) == 1, completed.stderr
    assert errors[0].startswith("reference data: ")
    assert expected in errors[0]
    assert not (data_dir / "published").exists()


def test_the_effective_seeds_folder_overlays_the_deployment_files(tmp_path, monkeypatch):
    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / "brands.csv").write_text(OWN_BRANDS)
    (ref / "notes.txt").write_text("not a seed: ignored")
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CX_REFERENCE_DIR", str(ref))
    reference.validate()
    folder = reference.assemble()
    names = {p.name for p in folder.iterdir()}
    assert names == {p.name for p in SEEDS.glob("*.csv")}
    assert (folder / "brands.csv").read_text() == OWN_BRANDS
    assert (folder / "holidays.csv").read_bytes() == (SEEDS / "holidays.csv").read_bytes()
    before = reference.digest()

    # The deployment drops its file: the packaged one is back, and the digest says so.
    (ref / "brands.csv").unlink()
    reference.assemble()
    assert (folder / "brands.csv").read_bytes() == (SEEDS / "brands.csv").read_bytes()
    after = reference.digest()
    assert after != before
    monkeypatch.delenv("CX_REFERENCE_DIR")
    assert reference.digest() == after
