"""The Kaplan-Meier median of macros/survival.sql (resolution_hours_median_km) against scipy's
Kaplan-Meier estimator (scipy.stats.ecdf on right-censored data) on fixed, seeded groups with
tied times, ties between resolutions and censorings, groups never reaching one half and
groups without censoring (where it must equal the ordinary median). No load: the macro is
compiled by dbt and run in DuckDB on a data frame."""

from __future__ import annotations

import json
import os
import subprocess

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from cx_pipeline.warehouse.dbt_project import dbt_executable

scipy_stats = pytest.importorskip("scipy.stats")
HALF_TOLERANCE = 1e-9  # the macro's: S within 1e-9 of 1/2 counts as 1/2


def _fixed_groups() -> pd.DataFrame:
    rng = np.random.default_rng(15)
    frames = []
    for group in range(60):
        n = int(rng.integers(1, 80))
        # Whole and half hours: many ties, among resolutions and with censorings.
        times = np.round(rng.exponential(20, n) * 2) / 2
        censored_share = [0.0, 0.1, 0.4, 0.7][group % 4]
        events = rng.random(n) >= censored_share
        frames.append(pd.DataFrame({"g": group, "t": times, "e": events}))
    # S = 1/2 exactly with a later resolution (midpoint), and with none (not reached).
    frames.append(pd.DataFrame({"g": 100, "t": [1.0, 2.0, 4.0, 3.0], "e": [1, 1, 1, 0]}))
    frames.append(pd.DataFrame({"g": 101, "t": [1.0, 8.0], "e": [1, 0]}))
    return pd.concat(frames, ignore_index=True).astype({"e": bool})


def _scipy_median(times: np.ndarray, events: np.ndarray) -> float | None:
    if not events.any():
        return None
    data = scipy_stats.CensoredData(uncensored=times[events], right=times[~events])
    sf = scipy_stats.ecdf(data).sf
    at, survival = sf.quantiles, sf.probabilities
    reached = np.nonzero(survival <= 0.5 + HALF_TOLERANCE)[0]
    if not len(reached):
        return None
    i = reached[0]
    if abs(survival[i] - 0.5) <= HALF_TOLERANCE:
        # scipy lists censoring times too: the next resolution is where S drops again.
        later = np.nonzero(survival < survival[i] - HALF_TOLERANCE)[0]
        return (at[i] + at[later[0]]) / 2 if len(later) else None
    return float(at[i])


@pytest.fixture(scope="module")
def compiled_macro(tmp_path_factory) -> str:
    data_dir = tmp_path_factory.mktemp("km")
    (data_dir / "warehouse").mkdir()
    project = ROOT / "dbt_project"
    completed = subprocess.run(
        [
            dbt_executable(),
            "--quiet",
            "compile",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(data_dir / "target"),
            "--output",
            "json",
            "--inline",
            "{{ km_median('obs', ['g'], 't', 'e') }}",
        ],
        env={**os.environ, "CX_DATA_DIR": str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads(completed.stdout)["compiled"]


def test_km_median_equals_scipy_kaplan_meier(compiled_macro):
    obs = _fixed_groups()
    con = duckdb.connect()
    con.register("obs", obs)
    got = dict(con.execute(compiled_macro).fetchall())
    checked = censored = 0
    for group, rows in obs.groupby("g"):
        expected = _scipy_median(rows["t"].to_numpy(), rows["e"].to_numpy())
        if expected is None:
            assert group not in got, group
            continue
        assert got[group] == pytest.approx(expected, rel=1e-9, abs=1e-9), group
        checked += 1
        censored += int((~rows["e"]).any())
    assert got[100] == 3.0 and 101 not in got
    assert checked >= 40 and censored >= 20, (checked, censored)


def test_km_median_without_censoring_is_the_ordinary_median(compiled_macro):
    obs = _fixed_groups()
    obs = obs[obs["g"] % 4 == 0].assign(e=True)
    con = duckdb.connect()
    con.register("obs", obs)
    got = dict(con.execute(compiled_macro).fetchall())
    for group, rows in obs.groupby("g"):
        assert got[group] == pytest.approx(rows["t"].median(), rel=1e-9, abs=1e-9), group
