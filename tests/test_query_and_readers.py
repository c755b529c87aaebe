"""Analysts' access: `cx-pipeline sql` and reading the published file during a load."""

import json
import os
import subprocess
import sys
import time

import duckdb
from conftest import ROOT, cli

from cx_pipeline.warehouse.query import run_query


def test_sql_formats(loaded_demo):
    query = (
        "SELECT kpi, n FROM marts.mart_cx_kpis WHERE grain = 'day' AND slice_name = 'all' "
        "AND kpi = 'tickets_created' ORDER BY period_start"
    )
    table = cli(loaded_demo, "sql", query).stdout
    assert table.splitlines()[0].split("|")[0].strip() == "kpi"
    assert "(3 rows)" in table
    as_csv = cli(loaded_demo, "sql", query, "--format", "csv").stdout.splitlines()
    assert as_csv[0] == "kpi,n" and len(as_csv) == 4
    as_json = json.loads(cli(loaded_demo, "sql", query, "--format", "json").stdout)
    assert [r["kpi"] for r in as_json] == ["tickets_created"] * 3


def test_sql_is_read_only(loaded_demo):
    result = cli(loaded_demo, "sql", "DELETE FROM marts.mart_cx_kpis", check=False)
    assert result.returncode == 1
    assert "read-only" in result.stderr
    count = run_query(
        "SELECT count(*) FROM marts.mart_cx_kpis", loaded_demo / "published" / "cx.duckdb"
    )[1][0][0]
    assert count > 0


def test_readers_never_fail_while_a_load_runs(loaded_demo):
    data_dir = loaded_demo
    published = data_dir / "published" / "cx.duckdb"
    # The next day's delivery, so the load has new rows to build and publish: a re-run of
    # the days already loaded would deliver nothing new and be skipped.
    cli(
        data_dir,
        *("generate", "--start", "2025-03-06", "--days", "1", "--scale", "0.5"),
        *("--seed", "12"),
    )
    env = {**os.environ, "CX_DATA_DIR": str(data_dir)}
    env.pop("DAGSTER_HOME", None)
    load = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cx_pipeline.cli",
            "load",
            "--start",
            "2025-03-06",
            "--end",
            "2025-03-06",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    queries, errors, inodes = 0, [], set()
    while load.poll() is None:
        try:
            inodes.add(published.stat().st_ino)
            con = duckdb.connect(str(published), read_only=True)
            try:
                n = con.execute("SELECT count(*) FROM marts.mart_cx_kpis").fetchone()[0]
                assert n > 0
            finally:
                con.close()
            queries += 1
        except Exception as exc:  # any failure a reader would see
            errors.append(repr(exc))
        time.sleep(0.05)
    stdout, stderr = load.communicate()
    assert load.returncode == 0, stdout + stderr
    assert errors == []
    assert queries > 20
    # The load published a new file (a new inode) while the readers were reading.
    assert len(inodes | {published.stat().st_ino}) >= 2
